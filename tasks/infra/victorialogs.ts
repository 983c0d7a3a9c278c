/**
 * VictoriaLogs (stands in for Loki on the write side: Loki push API in, numeric tenants,
 * LogsQL out), built from the Go module proxy with the otel tools module.
 *
 * @module
 */
import { ensureGoBinaries } from "./gobuild.ts";
import { type Component, spawnComponent } from "./process.ts";
import { say } from "./progress.ts";

/** Builds (once) and returns the victoria-logs binary. */
export async function ensureVictoriaLogs(): Promise<string> {
  return (await ensureGoBinaries("otel"))["victoria-logs"]!;
}

/** Options of {@link startVictoriaLogs}. */
export interface VictoriaLogsOptions {
  port: number;
  /** Storage folder. */
  dataDir: string;
  logFile: string;
  pidFile?: string;
  timeoutMs?: number;
}

/** Starts VictoriaLogs and waits for `/health`. */
export async function startVictoriaLogs(opts: VictoriaLogsOptions): Promise<Component> {
  const bin = await ensureVictoriaLogs();
  await Deno.mkdir(opts.dataDir, { recursive: true });
  say("victorialogs", `starting on 127.0.0.1:${opts.port} …`);
  return await spawnComponent({
    name: "victorialogs",
    cmd: bin,
    args: [
      `-httpListenAddr=127.0.0.1:${opts.port}`,
      `-storageDataPath=${opts.dataDir}`,
      "-retentionPeriod=7d",
      // Without it, JSON log lines are split into fields and the message text is lost.
      "-loki.disableMessageParsing",
    ],
    logFile: opts.logFile,
    pidFile: opts.pidFile,
    ready: [{ http: `http://127.0.0.1:${opts.port}/health` }],
    timeoutMs: opts.timeoutMs ?? 30_000,
    ports: [opts.port],
    endpoints: {
      http: `http://127.0.0.1:${opts.port}`,
      lokiPush: `http://127.0.0.1:${opts.port}/insert/loki/api/v1/push`,
      query: `http://127.0.0.1:${opts.port}/select/logsql/query`,
    },
  });
}
