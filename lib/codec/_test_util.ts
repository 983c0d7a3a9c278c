/**
 * Small assertion helpers for the codec tests.
 *
 * @module
 */
import assert from "node:assert/strict";
import { CodecError, type CodecErrorKind } from "./codec_error.ts";

/** Asserts that `fn` throws a CodecError of `kind` (and returns it). */
export function assertCodecError(fn: () => unknown, kind: CodecErrorKind): CodecError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CodecError, `expected CodecError, got ${e}`);
    assert.equal(e.kind, kind, `expected kind ${kind}, got ${e.kind}: ${e.message}`);
    assert.ok(e.message.length <= 301, "reason too long");
    return e;
  }
  assert.fail(`expected CodecError(${kind}), nothing was thrown`);
}

/** Async variant of {@linkcode assertCodecError}. */
export async function assertRejectsCodec(
  p: Promise<unknown>,
  kind: CodecErrorKind,
): Promise<CodecError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CodecError, `expected CodecError, got ${e}`);
    assert.equal(e.kind, kind, `expected kind ${kind}, got ${e.kind}: ${e.message}`);
    return e;
  }
  assert.fail(`expected CodecError(${kind}), nothing was thrown`);
}

/** Byte equality with a readable failure. */
export function assertBytesEqual(a: Uint8Array, b: Uint8Array, msg = "bytes differ"): void {
  assert.equal(a.length, b.length, `${msg}: lengths ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) assert.fail(`${msg}: first difference at byte ${i}`);
  }
}
