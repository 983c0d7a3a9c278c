/**
 * Generic native process supervision for the infrastructure components: spawn detached with
 * output appended to a log file, record the pid, poll readiness, stop by pid.
 *
 * @module
 */
import { pidAlive, readPidFile, signalPid, waitForExit } from "./pid.ts";
import { formatDuration, say } from "./progress.ts";

/** A running component, as returned by every `startX()`. */
export interface Component {
  /** Short name (`kafka`, `opensearch`, …). */
  name: string;
  /** Pid of the server process itself (not a wrapper). */
  pid: number;
  /** Named endpoints, e.g. `{ bootstrap: "127.0.0.1:19092" }`. */
  endpoints: Record<string, string>;
  /** Log file the process writes to. */
  logFile: string;
  /** SIGTERM, wait, SIGKILL after the grace period; then wait for its ports to close. */
  stop(): Promise<void>;
}

/** How to decide that a component is ready. Every listed check must pass. */
export type ReadyCheck =
  | { http: string; headers?: Record<string, string>; ok?: (res: Response) => Promise<boolean> }
  | { tcp: { host: string; port: number } }
  | { logLine: string | RegExp };

/** Options of {@link spawnComponent}. */
export interface SpawnOptions {
  name: string;
  /** Executable and arguments. */
  cmd: string;
  args: string[];
  cwd?: string;
  /** Extra environment (merged over this process' environment). */
  env?: Record<string, string>;
  /** Log file; output is appended, so earlier runs stay readable. */
  logFile: string;
  /** Where to record the pid (optional; `up` uses `.obstack/run/<name>.pid`). */
  pidFile?: string;
  /**
   * When the spawned command is a wrapper (e.g. `runuser`), the server writes its own pid
   * here; that pid is the one tracked and signalled.
   */
  serverPidFile?: string;
  /** Readiness checks; all must pass. */
  ready: ReadyCheck[];
  /** Readiness timeout in ms. */
  timeoutMs: number;
  /** Ports the component listens on: checked free before start, awaited closed after stop. */
  ports?: number[];
  /** Grace period between SIGTERM and SIGKILL in ms (default 15 s). */
  stopGraceMs?: number;
  /** Named endpoints reported in the Component. */
  endpoints: Record<string, string>;
}

/** Whether something accepts TCP connections on host:port. */
export async function tcpOpen(host: string, port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: host, port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** Polls until nothing accepts connections on the port (or the timeout passes). */
export async function waitPortClosed(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await tcpOpen("127.0.0.1", port)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
  return true;
}

/** Last `n` lines of a file, or a note that it cannot be read. */
export async function tailFile(path: string, n = 30): Promise<string> {
  try {
    const text = await Deno.readTextFile(path);
    return text.trimEnd().split("\n").slice(-n).join("\n");
  } catch {
    return `(no log at ${path})`;
  }
}

async function checkOnce(check: ReadyCheck, logFile: string, logOffset: number) {
  if ("http" in check) {
    try {
      const res = await fetch(check.http, {
        headers: check.headers,
        signal: AbortSignal.timeout(2_000),
      });
      if (check.ok) return await check.ok(res);
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }
  if ("tcp" in check) return await tcpOpen(check.tcp.host, check.tcp.port);
  try {
    const text = (await Deno.readTextFile(logFile)).slice(logOffset);
    return typeof check.logLine === "string"
      ? text.includes(check.logLine)
      : check.logLine.test(text);
  } catch {
    return false;
  }
}

function describe(check: ReadyCheck): string {
  if ("http" in check) return check.http;
  if ("tcp" in check) return `tcp ${check.tcp.host}:${check.tcp.port}`;
  return `log line ${String(check.logLine)}`;
}

/**
 * Waits until every readiness check passes, while the pid stays alive. Throws with the last
 * log lines when the process dies or the timeout passes.
 */
export async function waitReady(
  name: string,
  pid: () => number | undefined,
  checks: ReadyCheck[],
  logFile: string,
  logOffset: number,
  timeoutMs: number,
): Promise<void> {
  const started = Date.now();
  let lastNote = started;
  const pending = [...checks];
  while (pending.length > 0) {
    const current = pid();
    if (current !== undefined && !pidAlive(current)) {
      throw new Error(
        `${name}: exited before it was ready; last lines of ${logFile}:\n${await tailFile(
          logFile,
        )}`,
      );
    }
    const check = pending[0]!;
    if (await checkOnce(check, logFile, logOffset)) {
      pending.shift();
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `${name}: not ready after ${formatDuration(timeoutMs)} (waiting for ${
          describe(check)
        }); last lines of ${logFile}:\n${await tailFile(logFile)}`,
      );
    }
    if (Date.now() - lastNote > 15_000) {
      lastNote = Date.now();
      say(name, `starting … ${formatDuration(Date.now() - started)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Stops a process by pid: SIGTERM, poll until it exits, SIGKILL after `graceMs`, then wait
 * for the listed ports to close (Jaeger holds its ports for a few seconds after exit).
 */
export async function stopPid(
  name: string,
  pid: number,
  opts: { graceMs?: number; ports?: number[]; quiet?: boolean } = {},
): Promise<void> {
  if (pidAlive(pid)) {
    if (!opts.quiet) say(name, `stopping pid ${pid}`);
    signalPid(pid, "SIGTERM");
    if (!(await waitForExit(pid, opts.graceMs ?? 15_000))) {
      say(name, `pid ${pid} still alive after SIGTERM; sending SIGKILL`);
      signalPid(pid, "SIGKILL");
      await waitForExit(pid, 10_000);
    }
  }
  for (const port of opts.ports ?? []) {
    if (!(await waitPortClosed(port, 15_000))) {
      say(name, `warning: port ${port} still open after stop`);
    }
  }
}

/**
 * Spawns a server detached (its own session, so it outlives the caller when `up` exits and
 * gets no terminal signals), output appended to `logFile`, and waits until it is ready. On a
 * readiness failure the process is stopped before the error is thrown.
 */
export async function spawnComponent(opts: SpawnOptions): Promise<Component> {
  for (const port of opts.ports ?? []) {
    if (await tcpOpen("127.0.0.1", port)) {
      throw new Error(
        `${opts.name}: port ${port} is already in use (another instance running? try \`deno task status\`)`,
      );
    }
  }
  await Deno.mkdir(opts.logFile.slice(0, opts.logFile.lastIndexOf("/")), { recursive: true });
  const logOffset = await Deno.stat(opts.logFile).then((s) => s.size, () => 0);
  await Deno.writeTextFile(
    opts.logFile,
    `--- ${new Date().toISOString()} start: ${opts.cmd} ${opts.args.join(" ")}\n`,
    { append: true },
  );
  if (opts.serverPidFile) await Deno.remove(opts.serverPidFile).catch(() => {});
  const started = Date.now();
  // `exec` so the shell is replaced: the spawned pid is the command itself. The redirection is
  // done by the OS, so the log keeps growing after this Deno process exits.
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      'exec "$@" >>"$OBSTACK_COMPONENT_LOG" 2>&1 </dev/null',
      "sh",
      opts.cmd,
      ...opts.args,
    ],
    cwd: opts.cwd,
    env: { ...opts.env, OBSTACK_COMPONENT_LOG: opts.logFile },
    detached: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  // Reap the wrapper when it exits so it never lingers as a zombie while we are alive.
  child.status.catch(() => {});
  const launcherPid = child.pid;
  let serverPid: number | undefined = opts.serverPidFile ? undefined : launcherPid;
  const currentPid = () => {
    if (serverPid === undefined && opts.serverPidFile) {
      serverPid = readPidFile(opts.serverPidFile);
    }
    return serverPid ?? launcherPid;
  };
  if (opts.pidFile) {
    await Deno.mkdir(opts.pidFile.slice(0, opts.pidFile.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(opts.pidFile, `${launcherPid}\n`);
  }
  const stop = async () => {
    const pid = currentPid();
    await stopPid(opts.name, pid, { graceMs: opts.stopGraceMs, ports: opts.ports });
    if (pid !== launcherPid) await stopPid(opts.name, launcherPid, { quiet: true });
    if (opts.pidFile) await Deno.remove(opts.pidFile).catch(() => {});
  };
  try {
    await waitReady(opts.name, currentPid, opts.ready, opts.logFile, logOffset, opts.timeoutMs);
    if (opts.serverPidFile) {
      const pid = currentPid();
      if (pid === launcherPid) {
        throw new Error(`${opts.name}: no pid in ${opts.serverPidFile} after start`);
      }
      if (opts.pidFile) await Deno.writeTextFile(opts.pidFile, `${pid}\n`);
    }
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  const pid = currentPid();
  const where = Object.values(opts.endpoints)[0];
  say(
    opts.name,
    `ready${where ? ` on ${where}` : ""} (${formatDuration(Date.now() - started)}, pid ${pid})`,
  );
  return { name: opts.name, pid, endpoints: opts.endpoints, logFile: opts.logFile, stop };
}

/**
 * A handle on a component started earlier (by another `up`), found through its pid file;
 * undefined when the pid file is missing or the process is gone.
 */
export function adoptComponent(opts: {
  name: string;
  pidFile: string;
  logFile: string;
  endpoints: Record<string, string>;
  ports?: number[];
  stopGraceMs?: number;
}): Component | undefined {
  const pid = readPidFile(opts.pidFile);
  if (pid === undefined || !pidAlive(pid)) return undefined;
  return {
    name: opts.name,
    pid,
    endpoints: opts.endpoints,
    logFile: opts.logFile,
    stop: async () => {
      await stopPid(opts.name, pid, { graceMs: opts.stopGraceMs, ports: opts.ports });
      await Deno.remove(opts.pidFile).catch(() => {});
    },
  };
}
