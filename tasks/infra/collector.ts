/**
 * The project's OpenTelemetry Collector build (client and performance peer in tests and the
 * demo) and `telemetrygen`.
 *
 * @module
 */
import { ensureGoBinaries } from "./gobuild.ts";
import { type Component, type ReadyCheck, spawnComponent } from "./process.ts";
import { say } from "./progress.ts";

/** Builds (once) and returns the Collector binary. */
export async function ensureCollector(): Promise<string> {
  return (await ensureGoBinaries("otel"))["otelcol"]!;
}

/**
 * Builds (once) and returns the telemetrygen binary. Use `--rate 0`; it exits 0 even when
 * every export fails, so always check the receiving side.
 */
export async function ensureTelemetrygen(): Promise<string> {
  return (await ensureGoBinaries("otel"))["telemetrygen"]!;
}

/** Options of {@link startCollector}. */
export interface CollectorOptions {
  /** Collector YAML. Set `service.telemetry.metrics.level: none` to keep port 8888 free. */
  config: string;
  /** Folder for the config file. */
  dataDir: string;
  logFile: string;
  pidFile?: string;
  /** Readiness: e.g. the OTLP receiver's port. Default: the log line "Everything is ready". */
  ready?: ReadyCheck[];
  /** Ports it listens on (checked free before start, awaited closed after stop). */
  ports?: number[];
  /** Extra environment (e.g. a token referenced as `${env:TOKEN}`). */
  env?: Record<string, string>;
  timeoutMs?: number;
  name?: string;
}

/** Starts the Collector with the given configuration text. */
export async function startCollector(opts: CollectorOptions): Promise<Component> {
  const bin = await ensureCollector();
  const name = opts.name ?? "otelcol";
  await Deno.mkdir(opts.dataDir, { recursive: true });
  const configFile = `${opts.dataDir}/${name}.yaml`;
  await Deno.writeTextFile(configFile, opts.config);
  say(name, "starting …");
  return await spawnComponent({
    name,
    cmd: bin,
    args: ["--config", configFile],
    env: opts.env,
    logFile: opts.logFile,
    pidFile: opts.pidFile,
    ready: opts.ready ?? [{ logLine: "Everything is ready" }],
    timeoutMs: opts.timeoutMs ?? 30_000,
    ports: opts.ports,
    endpoints: {},
  });
}
