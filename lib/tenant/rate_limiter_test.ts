import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { createRateLimiter } from "./rate_limiter.ts";

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

Deno.test("take() admits a burst of requestsPerSecond, then 429s with Retry-After", () => {
  const c = clock();
  const rl = createRateLimiter({ now: c.now });
  const tenant = { id: "a", limits: { requestsPerSecond: 3 } };
  for (let i = 0; i < 3; i++) deepStrictEqual(rl.take(tenant, 10), { ok: true });
  deepStrictEqual(rl.take(tenant, 10), { ok: false, retryAfterSeconds: 1 });
});

Deno.test("take() refills the bucket over time", () => {
  const c = clock();
  const rl = createRateLimiter({ now: c.now });
  const tenant = { id: "a", limits: { requestsPerSecond: 2 } };
  rl.take(tenant, 0);
  rl.take(tenant, 0);
  strictEqual(rl.take(tenant, 0).ok, false);
  c.advance(499);
  strictEqual(rl.take(tenant, 0).ok, false, "not yet one token");
  c.advance(2);
  strictEqual(rl.take(tenant, 0).ok, true, "one token after 0.5 s at 2/s");
  strictEqual(rl.take(tenant, 0).ok, false);
  c.advance(10_000);
  strictEqual(rl.take(tenant, 0).ok, true);
  strictEqual(rl.take(tenant, 0).ok, true);
  strictEqual(rl.take(tenant, 0).ok, false, "refill is capped at the burst");
});

Deno.test("take() limits bytes per second and says how long to wait", () => {
  const c = clock();
  const rl = createRateLimiter({ now: c.now });
  const tenant = { id: "a", limits: { bytesPerSecond: 1000 } };
  strictEqual(rl.take(tenant, 800).ok, true);
  deepStrictEqual(rl.take(tenant, 800), { ok: false, retryAfterSeconds: 1 });
  c.advance(600);
  strictEqual(rl.take(tenant, 800).ok, true);
});

Deno.test("take() admits a request larger than the bucket when full, then throttles the debt", () => {
  const c = clock();
  const rl = createRateLimiter({ now: c.now });
  const tenant = { id: "a", limits: { bytesPerSecond: 1000 } };
  strictEqual(rl.take(tenant, 5000).ok, true);
  // 4000 bytes of debt plus a full bucket for the next 1000-byte request: 5 s.
  deepStrictEqual(rl.take(tenant, 1000), { ok: false, retryAfterSeconds: 5 });
});

Deno.test("a rejected request consumes nothing from either bucket", () => {
  const c = clock();
  const rl = createRateLimiter({ now: c.now });
  const tenant = { id: "a", limits: { requestsPerSecond: 10, bytesPerSecond: 100 } };
  strictEqual(rl.take(tenant, 100).ok, true);
  for (let i = 0; i < 20; i++) strictEqual(rl.take(tenant, 50).ok, false);
  c.advance(1000);
  strictEqual(rl.take(tenant, 100).ok, true, "request tokens were not drained by rejections");
});

Deno.test("tenants have separate buckets; defaults apply without own limits; 0 is unlimited", () => {
  const c = clock();
  const rl = createRateLimiter({ now: c.now, defaultRequestsPerSecond: 1 });
  const a = { id: "a", limits: {} };
  const b = { id: "b", limits: {} };
  strictEqual(rl.take(a, 0).ok, true);
  strictEqual(rl.take(a, 0).ok, false);
  strictEqual(rl.take(b, 0).ok, true);
  const unlimited = createRateLimiter({ now: c.now });
  for (let i = 0; i < 1000; i++) strictEqual(unlimited.take(a, 1e9).ok, true);
});

Deno.test("take() applies a changed tenant limit on the next call", () => {
  const c = clock();
  const rl = createRateLimiter({ now: c.now });
  strictEqual(rl.take({ id: "a", limits: { requestsPerSecond: 1 } }, 0).ok, true);
  strictEqual(rl.take({ id: "a", limits: { requestsPerSecond: 1 } }, 0).ok, false);
  c.advance(20);
  strictEqual(rl.take({ id: "a", limits: { requestsPerSecond: 1 } }, 0).ok, false, "1/s: not yet");
  // The new rate applies from now on (no retroactive refill): 20 ms at 100/s refill 2 tokens.
  strictEqual(rl.take({ id: "a", limits: { requestsPerSecond: 100 } }, 0).ok, false);
  c.advance(20);
  strictEqual(rl.take({ id: "a", limits: { requestsPerSecond: 100 } }, 0).ok, true);
});

Deno.test("createRateLimiter() validates its options", () => {
  throws(() => createRateLimiter({ defaultRequestsPerSecond: -1 }), /must be >= 0/);
  throws(() => createRateLimiter({ burstSeconds: 0 }), /must be > 0/);
});
