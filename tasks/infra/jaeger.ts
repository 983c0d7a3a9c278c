/**
 * Jaeger v2 (stands in for Tempo): OTLP receiver, in-memory trace store, query API and the
 * `remote_storage` gRPC extension, multi-tenant on `X-Scope-OrgID` with a fixed tenant list.
 *
 * @module
 */
import { stringify } from "yaml";
import { ensureGoBinaries } from "./gobuild.ts";
import { type Component, spawnComponent } from "./process.ts";
import { say } from "./progress.ts";

/** Ports of one Jaeger instance. */
export interface JaegerPorts {
  /** OTLP/gRPC receiver (stores under no tenant: use `remoteStorage` for tenant data). */
  otlpGrpc: number;
  /** OTLP/HTTP receiver (same caveat). */
  otlpHttp: number;
  /** `remote_storage` gRPC: OTLP TraceService/Export with `X-Scope-OrgID` metadata. */
  remoteStorage: number;
  /** Query HTTP API (`/api/traces/<id>`, `/api/v3/…`). */
  query: number;
  /** Query gRPC API (default: query port − 1, as 16685 beside 16686). */
  queryGrpc?: number;
}

/** Tenant header, as Tempo uses it. */
export const JAEGER_TENANT_HEADER = "X-Scope-OrgID";

/**
 * Jaeger v2 configuration text for a tenant list. The `multi_tenancy` keys are capitalised
 * (`Enabled`, `Header`, `Tenants`) because Jaeger's tenancy options have no mapstructure
 * tags; lower-case keys are silently ignored.
 */
export function jaegerConfig(tenants: string[], ports: JaegerPorts, maxTraces = 100_000): string {
  if (tenants.length === 0) throw new Error("jaeger: at least one tenant is required");
  const tenancy = { Enabled: true, Header: JAEGER_TENANT_HEADER, Tenants: [...tenants] };
  const config = {
    service: {
      extensions: ["jaeger_storage", "jaeger_query", "remote_storage"],
      pipelines: {
        traces: {
          receivers: ["otlp"],
          processors: ["batch"],
          exporters: ["jaeger_storage_exporter"],
        },
      },
      telemetry: {
        resource: { "service.name": "jaeger" },
        // No self-metrics server: it would bind 8888 and clash between instances.
        metrics: { level: "none" },
        logs: { level: "info" },
      },
    },
    extensions: {
      jaeger_storage: { backends: { memstore: { memory: { max_traces: maxTraces } } } },
      jaeger_query: {
        storage: { traces: "memstore" },
        http: { endpoint: `127.0.0.1:${ports.query}` },
        grpc: { endpoint: `127.0.0.1:${ports.queryGrpc ?? ports.query - 1}` },
        multi_tenancy: tenancy,
      },
      remote_storage: {
        endpoint: `127.0.0.1:${ports.remoteStorage}`,
        storage: "memstore",
        multi_tenancy: tenancy,
      },
    },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `127.0.0.1:${ports.otlpGrpc}` },
          http: { endpoint: `127.0.0.1:${ports.otlpHttp}` },
        },
      },
    },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: "memstore" } },
  };
  return stringify(config);
}

/** Builds (once) and returns the Jaeger binary. */
export async function ensureJaeger(): Promise<string> {
  return (await ensureGoBinaries("jaeger"))["jaeger"]!;
}

/** Options of {@link startJaeger}. */
export interface JaegerOptions {
  tenants: string[];
  ports: JaegerPorts;
  /** Folder for the generated config. */
  dataDir: string;
  logFile: string;
  pidFile?: string;
  timeoutMs?: number;
}

/** Starts Jaeger and waits until the query, remote_storage and OTLP ports answer. */
export async function startJaeger(opts: JaegerOptions): Promise<Component> {
  const bin = await ensureJaeger();
  await Deno.mkdir(opts.dataDir, { recursive: true });
  const configFile = `${opts.dataDir}/jaeger.yaml`;
  await Deno.writeTextFile(configFile, jaegerConfig(opts.tenants, opts.ports));
  const p = opts.ports;
  say("jaeger", `starting (tenants ${opts.tenants.join(", ")}) …`);
  const tcp = (port: number) => ({ tcp: { host: "127.0.0.1", port } });
  return await spawnComponent({
    name: "jaeger",
    cmd: bin,
    args: ["--config", configFile],
    logFile: opts.logFile,
    pidFile: opts.pidFile,
    ready: [tcp(p.query), tcp(p.remoteStorage), tcp(p.otlpGrpc), tcp(p.otlpHttp)],
    timeoutMs: opts.timeoutMs ?? 30_000,
    ports: [p.query, p.queryGrpc ?? p.query - 1, p.remoteStorage, p.otlpGrpc, p.otlpHttp],
    endpoints: {
      query: `http://127.0.0.1:${p.query}`,
      remoteStorage: `127.0.0.1:${p.remoteStorage}`,
      otlpGrpc: `127.0.0.1:${p.otlpGrpc}`,
      otlpHttp: `http://127.0.0.1:${p.otlpHttp}`,
    },
  });
}
