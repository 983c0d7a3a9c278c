import assert from "node:assert/strict";
import zlib from "node:zlib";
import { gunzipBounded, gzip } from "./gzip.ts";
import { assertBytesEqual, assertRejectsCodec } from "./_test_util.ts";

Deno.test("gunzipBounded() round-trips gzip() output, multi-member included", async () => {
  const input = new TextEncoder().encode("otlp ".repeat(10000));
  const gz = await gzip(input);
  assertBytesEqual(await gunzipBounded(gz, input.length), input);
  const two = new Uint8Array([...gz, ...gz]);
  assert.equal((await gunzipBounded(two, input.length * 2)).length, input.length * 2);
  await assertRejectsCodec(gunzipBounded(gz, input.length - 1), "too_large");
});

Deno.test("gunzipBounded() stops a 100 MB gzip bomb at the cap without large memory", async () => {
  const bomb = zlib.gzipSync(new Uint8Array(100 << 20), { level: 9 });
  assert.ok(bomb.length < 200_000);
  const before = Deno.memoryUsage().rss;
  const t = performance.now();
  const e = await assertRejectsCodec(gunzipBounded(bomb, 8 << 20), "too_large");
  const grew = Deno.memoryUsage().rss - before;
  assert.match(e.message, /8388608/);
  assert.ok(grew < 48 << 20, `RSS grew by ${grew >> 20} MiB`);
  assert.ok(performance.now() - t < 5000);
});

Deno.test("gunzipBounded() refuses truncated, corrupt and empty input as invalid", async () => {
  const gz = await gzip(new TextEncoder().encode("hello ".repeat(1000)));
  await assertRejectsCodec(gunzipBounded(gz.subarray(0, gz.length - 4), 1 << 20), "invalid");
  await assertRejectsCodec(gunzipBounded(gz.subarray(0, 12), 1 << 20), "invalid");
  await assertRejectsCodec(gunzipBounded(new Uint8Array([1, 2, 3, 4]), 1 << 20), "invalid");
  await assertRejectsCodec(gunzipBounded(new Uint8Array(0), 1 << 20), "invalid");
  const flipped = gz.slice();
  flipped[gz.length - 6] = flipped[gz.length - 6]! ^ 0xff; // CRC mismatch
  await assertRejectsCodec(gunzipBounded(flipped, 1 << 20), "invalid");
});
