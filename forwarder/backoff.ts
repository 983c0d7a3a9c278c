/**
 * Exponential back-off with jitter, and an abortable sleep.
 *
 * @module
 */

/** Options of {@linkcode backoffDelay}. */
export interface BackoffOptions {
  /** First delay (ms). */
  initialMs: number;
  /** Cap (ms). */
  maxMs: number;
  /** What the store asked for (`Retry-After`, seconds), honoured up to the cap. */
  retryAfterSeconds?: number;
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * The delay before retry number `attempt` (0-based): `initial · 2^attempt`, capped, with "equal
 * jitter" (between half and all of it) so replicas that failed together do not retry in step.
 * A `Retry-After` from the store raises the delay (never above the cap).
 *
 * @example
 * ```ts
 * backoffDelay(3, { initialMs: 250, maxMs: 30_000 }); // between 1000 and 2000
 * ```
 */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const random = opts.random ?? Math.random;
  const exp = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 40));
  const jittered = exp / 2 + random() * (exp / 2);
  const asked = (opts.retryAfterSeconds ?? 0) * 1000;
  return Math.round(Math.min(opts.maxMs, Math.max(jittered, asked)));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
