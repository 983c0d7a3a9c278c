import assert from "node:assert/strict";
import { snappyDecode, snappyEncode } from "./snappy.ts";
import { assertBytesEqual, assertCodecError } from "./_test_util.ts";

Deno.test("snappyDecode() round-trips snappyEncode() output", () => {
  const text = new TextEncoder().encode("remote write ".repeat(5000) + "tail");
  const random = new Uint8Array(70000).map((_, i) => (i * 2654435761) >>> 13);
  for (const input of [new Uint8Array(0), text, random]) {
    const out = snappyDecode(snappyEncode(input), input.length);
    assertBytesEqual(out, input);
    assert.equal(out.constructor, Uint8Array);
  }
});

Deno.test("snappyDecode() refuses a 5-byte block claiming 4 GiB before allocating", () => {
  // varint 2^32 = 0x80 0x80 0x80 0x80 0x10
  const t = performance.now();
  const e = assertCodecError(
    () => snappyDecode(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x10]), 64 << 20),
    "too_large",
  );
  assert.ok(performance.now() - t < 50, "answered instantly");
  assert.match(e.message, /4294967296/);
  // Just over the cap, too: the check is against the caller's cap, not a fixed limit.
  const block = snappyEncode(new Uint8Array(1001));
  assertCodecError(() => snappyDecode(block, 1000), "too_large");
  assert.equal(snappyDecode(block, 1001).length, 1001);
});

Deno.test("snappyDecode() refuses corrupt, truncated and inconsistent blocks", () => {
  const good = snappyEncode(new TextEncoder().encode("abcabcabcabcabcabcabcabc hello hello hello"));
  assertCodecError(() => snappyDecode(new Uint8Array(0), 100), "invalid");
  assertCodecError(() => snappyDecode(new Uint8Array([0xff, 0xff]), 100), "invalid");
  assertCodecError(() => snappyDecode(good.subarray(0, good.length - 2), 1000), "invalid");
  // Claimed length larger than what the stream produces (snappyjs would zero-fill).
  const longer = good.slice();
  longer[0] = longer[0]! + 1;
  assertCodecError(() => snappyDecode(longer, 1000), "invalid");
  // Claimed length smaller than what the stream produces (snappyjs would drop bytes).
  const shorter = good.slice();
  shorter[0] = shorter[0]! - 1;
  assertCodecError(() => snappyDecode(shorter, 1000), "invalid");
  // A copy reaching before the start of the output.
  assertCodecError(() => snappyDecode(new Uint8Array([0x04, 0x01, 0x05]), 1000), "invalid");
  // Plain text is not snappy.
  assertCodecError(
    () => snappyDecode(new TextEncoder().encode("this is not snappy at all"), 1 << 20),
    "invalid",
  );
});
