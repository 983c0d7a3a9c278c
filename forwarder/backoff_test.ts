import assert from "node:assert/strict";
import { backoffDelay, sleep } from "./backoff.ts";

Deno.test("backoffDelay() doubles with jitter between half and all, capped", () => {
  const lo = { initialMs: 100, maxMs: 1000, random: () => 0 };
  const hi = { initialMs: 100, maxMs: 1000, random: () => 0.999999 };
  assert.deepEqual([0, 1, 2, 3, 10].map((a) => backoffDelay(a, lo)), [50, 100, 200, 400, 500]);
  assert.deepEqual([0, 1, 2, 3, 10].map((a) => backoffDelay(a, hi)), [100, 200, 400, 800, 1000]);
});

Deno.test("backoffDelay() honours Retry-After up to the cap", () => {
  assert.equal(
    backoffDelay(0, { initialMs: 100, maxMs: 10_000, retryAfterSeconds: 3, random: () => 0 }),
    3000,
  );
  assert.equal(
    backoffDelay(0, { initialMs: 100, maxMs: 2000, retryAfterSeconds: 30, random: () => 0 }),
    2000,
  );
});

Deno.test("sleep() rejects as soon as its signal aborts", async () => {
  const ac = new AbortController();
  const t0 = Date.now();
  setTimeout(() => ac.abort(new Error("stop")), 20);
  await assert.rejects(sleep(10_000, ac.signal), /stop/);
  assert.ok(Date.now() - t0 < 1000);
});
