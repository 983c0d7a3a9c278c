/**
 * Per-tenant token buckets for requests per second and bytes per second.
 * @module
 */
import type { Tenant } from "./tenant.ts";

/** Options of {@linkcode createRateLimiter}. */
export interface RateLimiterOptions {
  /** Requests/s for tenants without their own limit; 0 = unlimited. Default 0. */
  defaultRequestsPerSecond?: number;
  /** Body bytes/s for tenants without their own limit; 0 = unlimited. Default 0. */
  defaultBytesPerSecond?: number;
  /** How many seconds of traffic a full bucket holds (the burst); default 1. */
  burstSeconds?: number;
  /** Clock in milliseconds; injectable for tests. Default `performance.now`. */
  now?: () => number;
}

/** Result of {@linkcode RateLimiter.take}. */
export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Per-tenant rate limiter. */
export interface RateLimiter {
  /**
   * Admits one request of `bytes` body bytes for `tenant`, or says how long to wait.
   * A rejected request consumes nothing.
   */
  take(tenant: Pick<Tenant, "id" | "limits">, bytes: number): TakeResult;
}

interface Bucket {
  rate: number; // tokens per second; 0 = unlimited
  capacity: number;
  tokens: number;
  last: number;
}

function validRate(name: string, v: number | undefined): number {
  const r = v ?? 0;
  if (!Number.isFinite(r) || r < 0) throw new TypeError(`createRateLimiter: ${name} must be >= 0`);
  return r;
}

/**
 * Creates a limiter. A tenant's own limit (from the tenants file) wins over the default; a
 * tenant limit that is absent or 0 falls back to the default, and a default of 0 means
 * unlimited. Limits changed by a tenants-file reload apply from the next call on.
 *
 * A request larger than a whole bucket is admitted when the bucket is full and leaves it in
 * debt, so a big (but allowed by the body limit) request is throttled rather than refused forever.
 *
 * @example
 * ```ts
 * const rl = createRateLimiter({ defaultRequestsPerSecond: 100 });
 * const r = rl.take(tenant, body.byteLength);
 * if (!r.ok) throw tooManyRequests(r.retryAfterSeconds);
 * ```
 */
export function createRateLimiter(opts: RateLimiterOptions = {}): RateLimiter {
  const defRps = validRate("defaultRequestsPerSecond", opts.defaultRequestsPerSecond);
  const defBps = validRate("defaultBytesPerSecond", opts.defaultBytesPerSecond);
  const burst = opts.burstSeconds ?? 1;
  if (!Number.isFinite(burst) || burst <= 0) {
    throw new TypeError("createRateLimiter: burstSeconds must be > 0");
  }
  const now = opts.now ?? (() => performance.now());
  const requests = new Map<string, Bucket>();
  const bytesBuckets = new Map<string, Bucket>();

  const bucketFor = (map: Map<string, Bucket>, id: string, rate: number, t: number): Bucket => {
    let b = map.get(id);
    if (!b) {
      // A new bucket starts full.
      const capacity = Math.max(rate * burst, 1);
      b = { rate, capacity, tokens: capacity, last: t };
      map.set(id, b);
      return b;
    }
    // Refill at the rate in force until now, then apply a changed limit (tenants-file reload).
    const elapsed = Math.max(0, t - b.last) / 1000;
    b.tokens = Math.min(b.capacity, b.tokens + elapsed * b.rate);
    b.last = t;
    if (b.rate !== rate) {
      b.rate = rate;
      b.capacity = Math.max(rate * burst, 1);
      b.tokens = Math.min(b.tokens, b.capacity);
    }
    return b;
  };

  /** Seconds until `b` holds `need` tokens (need is capped at capacity). */
  const waitFor = (b: Bucket, need: number): number => {
    const want = Math.min(need, b.capacity);
    if (b.tokens >= want) return 0;
    return (want - b.tokens) / b.rate;
  };

  return {
    take(tenant, bytes) {
      const t = now();
      const rps = tenant.limits.requestsPerSecond || defRps;
      const bps = tenant.limits.bytesPerSecond || defBps;
      const n = Math.max(0, bytes);
      const rb = rps > 0 ? bucketFor(requests, tenant.id, rps, t) : undefined;
      const bb = bps > 0 ? bucketFor(bytesBuckets, tenant.id, bps, t) : undefined;
      const wait = Math.max(rb ? waitFor(rb, 1) : 0, bb ? waitFor(bb, n) : 0);
      if (wait > 0) {
        // Retry-After is in whole seconds (RFC 9110 §10.2.3); never tell a client "0".
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
      }
      if (rb) rb.tokens -= 1;
      if (bb) bb.tokens -= n;
      return { ok: true };
    },
  };
}
