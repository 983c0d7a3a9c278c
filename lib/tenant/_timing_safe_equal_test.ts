import { ok, strictEqual } from "node:assert/strict";
import { byteDiff, timingSafeEqual } from "./_timing_safe_equal.ts";

Deno.test("timingSafeEqual() compares equal and unequal arrays correctly wherever they differ", () => {
  const a = crypto.getRandomValues(new Uint8Array(32));
  strictEqual(timingSafeEqual(a, a.slice()), true);
  for (const i of [0, 15, 31]) {
    const b = a.slice();
    b[i]! ^= 0x01;
    strictEqual(timingSafeEqual(a, b), false, `differs at ${i}`);
  }
  strictEqual(timingSafeEqual(a, a.slice(0, 31)), false, "shorter");
  strictEqual(timingSafeEqual(a.slice(0, 31), a), false, "longer");
  strictEqual(timingSafeEqual(new Uint8Array(0), new Uint8Array(0)), true);
});

Deno.test("timingSafeEqual() reads every byte even when the first byte differs (no early exit)", () => {
  // Count element reads through a Proxy: a comparison with an early exit would stop after one.
  const a = crypto.getRandomValues(new Uint8Array(32));
  const b = a.slice();
  b[0]! ^= 0xff;
  let reads = 0;
  const counted = new Proxy(b, {
    get(target, prop, receiver) {
      if (typeof prop === "string" && /^\d+$/.test(prop)) reads++;
      const v = Reflect.get(target, prop, target === receiver ? target : target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  strictEqual(timingSafeEqual(a, counted), false);
  strictEqual(reads, 32);
  ok(byteDiff(a, b) > 0 && byteDiff(a, b) < 2 ** 31);
});
