/**
 * Rate limit of login attempts: a token bucket per key (the client address, and the user name
 * for password logins), so one address cannot guess quickly and many addresses cannot hammer
 * one user.
 * @module
 */

/** Options of {@linkcode createLoginLimiter}. */
export interface LoginLimiterOptions {
  /** Attempts allowed per key per minute (also the burst). */
  attemptsPerMinute: number;
  /** Most keys tracked; the least recently used are forgotten beyond it. Default 50,000. */
  maxKeys?: number;
  /** Clock in ms; injectable for tests. */
  now?: () => number;
}

/** Outcome of {@linkcode LoginLimiter.take}. */
export type LoginLimitResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** The limiter. */
export interface LoginLimiter {
  /** Takes one attempt for every key; refused (consuming nothing) if any key is exhausted. */
  take(keys: string[]): LoginLimitResult;
}

interface Bucket {
  tokens: number;
  last: number;
}

/**
 * Creates a login limiter.
 *
 * @example
 * ```ts
 * const limiter = createLoginLimiter({ attemptsPerMinute: 10 });
 * const r = limiter.take([`ip:${addr}`]);
 * if (!r.ok) return new Response("too many attempts", { status: 429 });
 * ```
 */
export function createLoginLimiter(opts: LoginLimiterOptions): LoginLimiter {
  const cap = opts.attemptsPerMinute;
  if (!Number.isFinite(cap) || cap < 1) {
    throw new TypeError("createLoginLimiter: attemptsPerMinute must be >= 1");
  }
  const maxKeys = opts.maxKeys ?? 50_000;
  const now = opts.now ?? (() => performance.now());
  const perMs = cap / 60_000;
  const buckets = new Map<string, Bucket>();

  const bucketOf = (key: string, t: number): Bucket => {
    let b = buckets.get(key);
    if (b) {
      b.tokens = Math.min(cap, b.tokens + (t - b.last) * perMs);
      b.last = t;
      buckets.delete(key); // re-insert: most recently used last
    } else {
      b = { tokens: cap, last: t };
      while (buckets.size >= maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest === undefined) break;
        buckets.delete(oldest);
      }
    }
    buckets.set(key, b);
    return b;
  };

  return {
    take(keys) {
      const t = now();
      const bs = keys.map((k) => bucketOf(k, t));
      const short = bs.filter((b) => b.tokens < 1);
      if (short.length > 0) {
        const waitMs = Math.max(...short.map((b) => (1 - b.tokens) / perMs));
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
      }
      for (const b of bs) b.tokens -= 1;
      return { ok: true };
    },
  };
}
