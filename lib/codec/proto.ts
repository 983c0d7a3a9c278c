/**
 * The protobuf schema of every wire format the project speaks, parsed once from the
 * repository's `proto/` folder with npm:protobufjs.
 *
 * The folder is found relative to this module (`import.meta.url`), which also holds inside a
 * binary built with `deno compile --include proto`: the included files sit at the same
 * relative path in the binary's embedded file system.
 *
 * @module
 */
import protobuf from "protobufjs";
import Long from "long";

// Exact 64-bit integers everywhere (nanosecond timestamps do not fit a double): protobufjs
// decodes int64/uint64/fixed64 as Long once it knows the Long implementation.
protobuf.util.Long = Long;
protobuf.configure();

/** Every file, dependencies first (protobufjs does not follow imports when parsing text). */
const FILES = [
  "google/protobuf/any.proto",
  "google/protobuf/timestamp.proto",
  "google/rpc/status.proto",
  "opentelemetry/proto/common/v1/common.proto",
  "opentelemetry/proto/resource/v1/resource.proto",
  "opentelemetry/proto/logs/v1/logs.proto",
  "opentelemetry/proto/metrics/v1/metrics.proto",
  "opentelemetry/proto/trace/v1/trace.proto",
  "opentelemetry/proto/collector/logs/v1/logs_service.proto",
  "opentelemetry/proto/collector/metrics/v1/metrics_service.proto",
  "opentelemetry/proto/collector/trace/v1/trace_service.proto",
  "prometheus/types.proto",
  "prometheus/remote.proto",
  "io/prometheus/write/v2/types.proto",
  "loki/push.proto",
] as const;

const PROTO_DIR = new URL("../../proto/", import.meta.url);

let root: protobuf.Root | undefined;

/**
 * The shared, fully resolved `protobuf.Root` with all of `proto/` loaded (parsed on first
 * use, then cached).
 *
 * @example
 * ```ts
 * const Req = protoRoot().lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest");
 * ```
 */
export function protoRoot(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  for (const file of FILES) {
    const text = Deno.readTextFileSync(new URL(file, PROTO_DIR));
    protobuf.parse(text, r, { keepCase: false, alternateCommentMode: false });
  }
  r.resolveAll();
  root = r;
  return r;
}
