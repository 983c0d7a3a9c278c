/**
 * The one error type of the codecs. `kind` tells the caller which HTTP answer fits:
 * `invalid` → 400, `too_large` → 413, `unsupported` → 415 (the mapping itself lives with the
 * HTTP layer, not here). Messages are short, human and never echo more than ~100 bytes of input.
 *
 * @module
 */

/** Why a payload was refused. */
export type CodecErrorKind = "invalid" | "too_large" | "unsupported";

/**
 * A payload could not be decoded, is over a limit, or uses something not supported.
 *
 * @example
 * ```ts
 * throw new CodecError("too_large", "snappy block claims 4294967296 bytes, limit is 16777216");
 * ```
 */
export class CodecError extends Error {
  /** What kind of refusal this is. */
  readonly kind: CodecErrorKind;

  /** Creates the error; `message` is cut to a bounded length so input never leaks in bulk. */
  constructor(kind: CodecErrorKind, message: string) {
    super(message.length > 300 ? message.slice(0, 300) + "…" : message);
    this.name = "CodecError";
    this.kind = kind;
  }
}
