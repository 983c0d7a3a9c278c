/**
 * Progress lines for long-running infrastructure steps. They go to stderr so that a task's
 * stdout stays reserved for its result (e.g. the token `up` prints).
 *
 * @module
 */

/** Prints `component: message` to stderr. */
export function say(component: string, message: string): void {
  console.error(`${component}: ${message}`);
}

/** Formats a duration in milliseconds as `14.2 s` or `2m30s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/**
 * Runs `work` and prints `component: <label> … <elapsed>` every `everyMs` while it runs, so a
 * user watching a cold start sees that something is happening.
 */
export async function withTicker<T>(
  component: string,
  label: string,
  work: () => Promise<T>,
  everyMs = 15_000,
): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => {
    say(component, `${label} … ${formatDuration(Date.now() - started)}`);
  }, everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
