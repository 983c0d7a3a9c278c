import assert from "node:assert/strict";
import { createLoginLimiter } from "./login_limiter.ts";

Deno.test("createLoginLimiter() allows the burst, then refuses with a retry delay", () => {
  let t = 0;
  const lim = createLoginLimiter({ attemptsPerMinute: 3, now: () => t });
  for (let i = 0; i < 3; i++) assert.deepEqual(lim.take(["ip:1"]), { ok: true });
  const r = lim.take(["ip:1"]);
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.retryAfterSeconds >= 1 && r.retryAfterSeconds <= 20);
  t += 20_000; // one attempt refills every 20 s
  assert.equal(lim.take(["ip:1"]).ok, true);
});

Deno.test("createLoginLimiter() keys are independent, and any exhausted key refuses", () => {
  const t = 0;
  const lim = createLoginLimiter({ attemptsPerMinute: 2, now: () => t });
  assert.ok(lim.take(["ip:1", "user:a/ann"]).ok);
  assert.ok(lim.take(["ip:2", "user:a/ann"]).ok);
  // user:a/ann is exhausted even from a new address
  assert.equal(lim.take(["ip:3", "user:a/ann"]).ok, false);
  // and the refused attempt consumed nothing from ip:3
  assert.ok(lim.take(["ip:3"]).ok);
  assert.ok(lim.take(["ip:3"]).ok);
  assert.equal(lim.take(["ip:3"]).ok, false);
});
