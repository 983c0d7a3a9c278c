/**
 * Byte comparison without an early exit: the time taken depends only on the length of `a`, not
 * on where (or whether) the contents differ.
 * @module
 */

/** 0 if `a` and `b` are equal, a non-zero value below 2^31 otherwise; never exits early. */
export function byteDiff(a: Uint8Array, b: Uint8Array): number {
  // A length mismatch still walks all of `a`, so the loop cost does not depend on `b`.
  let diff = (a.length ^ b.length) & 0x7fffffff;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ (b[i] ?? 0);
  return diff;
}

/** Whether `a` and `b` hold the same bytes, compared without an early exit. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return byteDiff(a, b) === 0;
}
