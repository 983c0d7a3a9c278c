/**
 * Prometheus 3.16.0 built from the Go module proxy, with the remote-write (1.0 and 2.0) and
 * OTLP receivers on.
 *
 * @module
 */
import { ensureGoBinaries } from "./gobuild.ts";
import { type Component, spawnComponent } from "./process.ts";
import { say } from "./progress.ts";

/** A configuration with no scrape targets: Prometheus only receives. */
export const EMPTY_PROMETHEUS_CONFIG = "global:\n  scrape_interval: 15s\nscrape_configs: []\n";

/** Builds (once) and returns the Prometheus binary. */
export async function ensurePrometheus(): Promise<string> {
  return (await ensureGoBinaries("prometheus"))["prometheus"]!;
}

/** Options of {@link startPrometheus}. */
export interface PrometheusOptions {
  port: number;
  /** Holds prometheus.yml and the TSDB (`tsdb/`). */
  dataDir: string;
  /** prometheus.yml text (scrape configs, remote_write, …); default: no targets. */
  config?: string;
  logFile: string;
  pidFile?: string;
  /** Extra command-line flags. */
  extraArgs?: string[];
  timeoutMs?: number;
  /** Component name in progress lines (default `prometheus`). */
  name?: string;
}

/** Starts Prometheus and waits for `/-/ready`. */
export async function startPrometheus(opts: PrometheusOptions): Promise<Component> {
  const bin = await ensurePrometheus();
  const name = opts.name ?? "prometheus";
  await Deno.mkdir(`${opts.dataDir}/tsdb`, { recursive: true });
  const configFile = `${opts.dataDir}/prometheus.yml`;
  await Deno.writeTextFile(configFile, opts.config ?? EMPTY_PROMETHEUS_CONFIG);
  say(name, `starting on 127.0.0.1:${opts.port} …`);
  return await spawnComponent({
    name,
    cmd: bin,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${opts.dataDir}/tsdb`,
      `--web.listen-address=127.0.0.1:${opts.port}`,
      "--web.enable-remote-write-receiver",
      "--web.enable-otlp-receiver",
      "--web.enable-lifecycle",
      ...(opts.extraArgs ?? []),
    ],
    logFile: opts.logFile,
    pidFile: opts.pidFile,
    ready: [{ http: `http://127.0.0.1:${opts.port}/-/ready` }],
    timeoutMs: opts.timeoutMs ?? 60_000,
    ports: [opts.port],
    endpoints: {
      http: `http://127.0.0.1:${opts.port}`,
      remoteWrite: `http://127.0.0.1:${opts.port}/api/v1/write`,
      otlp: `http://127.0.0.1:${opts.port}/api/v1/otlp/v1/metrics`,
    },
  });
}
