/**
 * Process liveness checks by pid (Linux `/proc`), used for pid files, locks and `stop()`.
 *
 * @module
 */

/**
 * Whether a process with this pid exists and is not a zombie. Reads `/proc/<pid>/stat`
 * because Deno has no `kill(pid, 0)`.
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Field 3 is the state; it follows the parenthesised command name, which may hold spaces.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Reads a pid file; returns undefined when it is missing or malformed. */
export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number.parseInt(Deno.readTextFileSync(path).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Sends a signal, ignoring "no such process". */
export function signalPid(pid: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Polls until the pid is gone or the timeout passes; returns whether it exited. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/**
 * Whether the process' command line contains one of `needles` (e.g. the state folder), so a
 * stale pid file whose pid was recycled by an unrelated process is never signalled.
 */
export function pidMatches(pid: number, needles: string[]): boolean {
  if (!pidAlive(pid)) return false;
  try {
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ");
    return needles.some((n) => cmdline.includes(n));
  } catch {
    return false;
  }
}
