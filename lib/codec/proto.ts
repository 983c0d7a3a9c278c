/**
 * The protobuf schema of every wire format the project speaks, loaded once from `proto/`.
 *
 * @module
 */
import protobuf from "protobufjs";
import Long from "long";

// Exact 64-bit integers everywhere (timestamps in nanoseconds do not fit a double).
protobuf.util.Long = Long;
protobuf.configure();

let root: protobuf.Root | undefined;

/** The shared, fully resolved `protobuf.Root` with all of `proto/` loaded. */
export function protoRoot(): protobuf.Root {
  if (!root) root = new protobuf.Root();
  return root;
}
