/**
 * `deno task demo`: sample logs, metrics and traces for two tenants, sent by the real
 * OpenTelemetry Collector through ingest with each tenant's token — so the console has something
 * to show in all four views.
 *
 * The Collector (this project's build, INFRA.md) runs with one OTLP/HTTP receiver per tenant and
 * one `otlp_http` exporter per tenant carrying that tenant's bearer token; the task posts a
 * generated sample set (a shop for the first tenant, a bank for the second, timestamps over the
 * last ten minutes) to each receiver. Its sending queue is off, so a 2xx from the Collector means
 * ingest accepted the data.
 *
 * Usage (after `deno task up`):
 * ```
 * deno task demo            # tenants "demo" (from up) and "demo-b" (created here)
 * ```
 * It prints the console URL and a token per tenant. The end-to-end test imports the same
 * functions to drive its own pipeline.
 * @module
 */
import { stringify } from "yaml";
import { readTenantsFile } from "../lib/tenant/mod.ts";
import { freePort } from "./infra/ports.ts";

/** A tenant the demo sends for. */
export interface DemoTenant {
  /** Tenant id. */
  id: string;
  /** Plain ingest token. */
  token: string;
  /** Which sample set: a web shop or a bank. */
  flavour: "shop" | "bank";
}

/** What a sample set contains, for tests and for the printed hints. */
export interface DemoKnown {
  /** Trace ids sent (32 hex), the first is the "checkout"/"transfer" trace with an error. */
  traceIds: string[];
  /** Root span name of every trace. */
  rootSpan: string;
  /** Service of the root spans. */
  rootService: string;
  /** All services. */
  services: string[];
  /** Span names of the first trace, in tree order. */
  spanNames: string[];
  /** A distinctive error log line. */
  errorLine: string;
  /** A word that appears only in this flavour's logs (for full-text search). */
  searchWord: string;
  /** Counter metric name as Prometheus stores it. */
  counter: string;
  /** Gauge metric name as Prometheus stores it. */
  gauge: string;
  /** `job` label of the counter series. */
  counterJob: string;
}

/** One generated sample set: OTLP/JSON bodies and what they contain. */
export interface DemoData {
  /** `ExportLogsServiceRequest` as OTLP/JSON. */
  logs: unknown;
  /** `ExportMetricsServiceRequest` as OTLP/JSON. */
  metrics: unknown;
  /** `ExportTraceServiceRequest` as OTLP/JSON. */
  traces: unknown;
  /** What was sent. */
  known: DemoKnown;
}

const FLAVOURS = {
  shop: {
    root: { service: "frontend", name: "POST /checkout" },
    services: ["frontend", "payments", "inventory"],
    spans: [
      // [service, name, parent index, start offset ms, duration ms, kind]
      ["frontend", "POST /checkout", -1, 0, 184, 2],
      ["inventory", "reserve stock", 0, 6, 41, 2],
      ["inventory", "SELECT stock", 1, 9, 23, 3],
      ["payments", "charge card", 0, 52, 120, 2],
      ["payments", "POST api.pay.example/v1/charges", 3, 58, 102, 3],
    ] as [string, string, number, number, number, number][],
    errorSpan: 3,
    errorLine: "payment gateway timeout after 5000 ms for order 1043",
    searchWord: "teapot",
    lines: [
      ["frontend", "INFO", "GET /cart 200 in 12 ms"],
      ["inventory", "WARN", "stock low for sku TEAPOT-042: 3 left"],
      ["payments", "INFO", "payment authorised for order 1042"],
      ["frontend", "INFO", "POST /checkout 201 in 184 ms"],
      ["frontend", "DEBUG", "session refreshed for visitor 7f3a"],
      ["inventory", "INFO", "reserved 2 x teapot for order 1043"],
    ] as [string, string, string][],
    counterJob: "frontend",
    routes: ["/checkout", "/cart", "/products"],
  },
  bank: {
    root: { service: "teller", name: "POST /transfers" },
    services: ["teller", "fraud-check", "ledger"],
    spans: [
      ["teller", "POST /transfers", -1, 0, 96, 2],
      ["fraud-check", "score transfer", 0, 4, 38, 2],
      ["ledger", "post entries", 0, 45, 44, 2],
      ["ledger", "INSERT journal", 2, 50, 30, 3],
    ] as [string, string, number, number, number, number][],
    errorSpan: 2,
    errorLine: "ledger imbalance detected in batch 77",
    searchWord: "ledger",
    lines: [
      ["teller", "INFO", "transfer 5531 accepted"],
      ["fraud-check", "INFO", "transfer 5531 scored 0.02 (allow)"],
      ["ledger", "INFO", "batch 76 posted: 412 entries"],
      ["teller", "WARN", "slow downstream ledger: 880 ms"],
      ["fraud-check", "DEBUG", "model v12 loaded"],
      ["ledger", "INFO", "ledger closed for day 2 of month"],
    ] as [string, string, string][],
    counterJob: "teller",
    routes: ["/transfers", "/accounts", "/balance"],
  },
};

const SEVERITY: Record<string, number> = { DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17 };

function hex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

const ns = (ms: number) => (BigInt(Math.round(ms)) * 1_000_000n).toString();
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/**
 * Generates one tenant's sample set with timestamps in the ten minutes before `nowMs`. Metric
 * points at or before `metricsAfterMs` are left out (Prometheus refuses samples older than a
 * series' newest one, so a second run must not resend them).
 *
 * @example
 * ```ts
 * const { traces, known } = demoData("shop", Date.now());
 * ```
 */
export function demoData(
  flavour: "shop" | "bank",
  nowMs: number,
  metricsAfterMs = 0,
): DemoData {
  const f = FLAVOURS[flavour];
  const windowMs = 10 * 60_000;
  const traceIds: string[] = [];

  // Traces: six traces spread over the window; the first has an error span.
  const byService = new Map<string, unknown[]>();
  for (let t = 0; t < 6; t++) {
    const traceId = hex(16);
    traceIds.push(traceId);
    const start = nowMs - windowMs + 30_000 + t * 90_000;
    const ids = f.spans.map(() => hex(8));
    const jitter = 1 + (t % 3) * 0.25;
    f.spans.forEach(([service, name, parent, offset, dur, kind], i) => {
      const isError = t === 0 && i === f.errorSpan;
      const span = {
        traceId,
        spanId: ids[i],
        ...(parent >= 0 ? { parentSpanId: ids[parent] } : {}),
        name,
        kind,
        startTimeUnixNano: ns(start + offset * jitter),
        endTimeUnixNano: ns(start + (offset + dur) * jitter),
        attributes: [
          str("demo.flavour", flavour),
          ...(i === 0 ? [str("http.route", name.split(" ")[1] ?? "/")] : []),
        ],
        status: isError ? { code: 2, message: f.errorLine } : { code: 1 },
        ...(isError
          ? {
            events: [{
              timeUnixNano: ns(start + (offset + dur) * jitter - 1),
              name: "exception",
              attributes: [str("exception.message", f.errorLine)],
            }],
          }
          : {}),
      };
      if (!byService.has(service)) byService.set(service, []);
      byService.get(service)!.push(span);
    });
  }
  const resource = (service: string) => ({
    attributes: [str("service.name", service), str("deployment.environment", "demo")],
  });
  const traces = {
    resourceSpans: [...byService].map(([service, spans]) => ({
      resource: resource(service),
      scopeSpans: [{ scope: { name: "obstack-demo" }, spans }],
    })),
  };

  // Logs: the flavour's lines repeated over the window, plus the error line (linked to trace 0).
  const logsByService = new Map<string, unknown[]>();
  const addLog = (service: string, level: string, body: string, at: number, trace?: string) => {
    if (!logsByService.has(service)) logsByService.set(service, []);
    logsByService.get(service)!.push({
      timeUnixNano: ns(at),
      observedTimeUnixNano: ns(at),
      severityNumber: SEVERITY[level],
      severityText: level,
      body: { stringValue: body },
      attributes: [str("demo.flavour", flavour)],
      ...(trace ? { traceId: trace } : {}),
    });
  };
  for (let i = 0; i < 24; i++) {
    const [service, level, line] = f.lines[i % f.lines.length]!;
    addLog(service, level, line, nowMs - windowMs + 20_000 + i * 24_000);
  }
  addLog(f.services[1]!, "ERROR", f.errorLine, nowMs - windowMs + 30_200, traceIds[0]);
  const logs = {
    resourceLogs: [...logsByService].map(([service, logRecords]) => ({
      resource: resource(service),
      scopeLogs: [{ scope: { name: "obstack-demo" }, logRecords }],
    })),
  };

  // Metrics: a cumulative request counter per route/status and a queue-depth gauge, every 15 s.
  const startMs = nowMs - windowMs;
  const points: number[] = [];
  for (let t = startMs; t <= nowMs; t += 15_000) if (t > metricsAfterMs) points.push(t);
  const counterPoints = f.routes.flatMap((route, r) =>
    ["200", "500"].map((status) => ({
      attributes: [str("http.route", route), str("http.status_code", status)],
      points: points.map((t) => {
        const base = status === "200" ? 40 - r * 10 : 2 + r;
        // Cumulative from the window start: grows with a gentle wave so rate() has shape.
        const k = (t - startMs) / 15_000;
        return { t, v: Math.round(base * k + 8 * Math.sin(k / 3) + 8) };
      }),
    }))
  );
  const metrics = {
    resourceMetrics: [
      {
        resource: resource(f.counterJob),
        scopeMetrics: [{
          scope: { name: "obstack-demo" },
          metrics: [{
            name: "demo.http.requests",
            unit: "{request}",
            description: "HTTP requests served (demo data)",
            sum: {
              aggregationTemporality: 2,
              isMonotonic: true,
              dataPoints: counterPoints.flatMap((s) =>
                s.points.map((p) => ({
                  attributes: s.attributes,
                  startTimeUnixNano: ns(startMs - 1000),
                  timeUnixNano: ns(p.t),
                  asInt: String(Math.max(0, p.v)),
                }))
              ),
            },
          }],
        }],
      },
      {
        resource: resource(f.services[1]!),
        scopeMetrics: [{
          scope: { name: "obstack-demo" },
          metrics: [{
            name: "demo.queue.depth",
            unit: "{item}",
            description: "Items waiting (demo data)",
            gauge: {
              dataPoints: points.map((t, i) => ({
                timeUnixNano: ns(t),
                asDouble: Math.round((12 + 9 * Math.sin(i / 4) + (i % 5)) * 10) / 10,
              })),
            },
          }],
        }],
      },
    ],
  };

  return {
    logs,
    metrics,
    traces,
    known: {
      traceIds,
      rootSpan: f.root.name,
      rootService: f.root.service,
      services: [...f.services],
      spanNames: treeNames(f.spans),
      errorLine: f.errorLine,
      searchWord: f.searchWord,
      counter: "demo_http_requests_total",
      gauge: "demo_queue_depth",
      counterJob: f.counterJob,
    },
  };
}

function treeNames(spans: [string, string, number, number, number, number][]): string[] {
  const out: string[] = [];
  const visit = (i: number) => {
    out.push(spans[i]![1]);
    spans.forEach((s, j) => {
      if (s[2] === i) visit(j);
    });
  };
  visit(0);
  return out;
}

/** One Collector pipeline set per tenant: receiver port → exporter with that tenant's token. */
export interface CollectorTenant {
  /** Tenant id (names the pipeline). */
  id: string;
  /** Port of this tenant's OTLP/HTTP receiver. */
  port: number;
  /** Environment variable holding the token (the config references it, never contains it). */
  tokenEnv: string;
}

/**
 * The Collector configuration: per tenant an `otlp` receiver on its own port and an
 * `otlp_http` exporter to ingest with `Authorization: Bearer ${env:<TOKEN>}`; no sending queue
 * (a 2xx to the sender means ingest took the data), retries on.
 */
export function demoCollectorConfig(ingestUrl: string, tenants: CollectorTenant[]): string {
  const receivers: Record<string, unknown> = {};
  const exporters: Record<string, unknown> = {};
  const pipelines: Record<string, unknown> = {};
  for (const t of tenants) {
    const key = t.id.replace(/[^a-z0-9]/g, "_");
    receivers[`otlp/${key}`] = {
      protocols: { http: { endpoint: `127.0.0.1:${t.port}` } },
    };
    exporters[`otlp_http/${key}`] = {
      endpoint: ingestUrl,
      compression: "gzip",
      headers: { Authorization: `Bearer \${env:${t.tokenEnv}}` },
      sending_queue: { enabled: false },
      retry_on_failure: { enabled: true, initial_interval: "200ms", max_elapsed_time: "30s" },
      timeout: "15s",
    };
    for (const signal of ["logs", "metrics", "traces"]) {
      pipelines[`${signal}/${key}`] = {
        receivers: [`otlp/${key}`],
        exporters: [`otlp_http/${key}`],
      };
    }
  }
  return stringify({
    receivers,
    exporters,
    service: { pipelines, telemetry: { metrics: { level: "none" }, logs: { level: "warn" } } },
  });
}

/** Posts a sample set to a Collector OTLP/HTTP receiver (JSON); throws unless all are 2xx. */
export async function sendDemoData(receiverUrl: string, data: DemoData): Promise<void> {
  for (const signal of ["traces", "metrics", "logs"] as const) {
    const resp = await fetch(`${receiverUrl}/v1/${signal}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(data[signal]),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await resp.text();
    if (!resp.ok) {
      throw new Error(`Collector refused ${signal}: ${resp.status} ${text.slice(0, 300)}`);
    }
  }
}

/**
 * The newest sample time (ms) Prometheus holds for the demo counter of a tenant, or 0. Used so
 * a rerun sends only newer points.
 */
export async function newestDemoSampleMs(promUrl: string, tenantId: string): Promise<number> {
  try {
    const u = new URL("/api/v1/query", promUrl);
    u.searchParams.set("query", `{__name__=~"demo_.*", tenant_id="${tenantId}"}[30m]`);
    const body = await (await fetch(u, { signal: AbortSignal.timeout(10_000) })).json();
    let newest = 0;
    for (const s of body?.data?.result ?? []) {
      for (const [t] of s.values ?? []) newest = Math.max(newest, Number(t) * 1000);
    }
    return newest;
  } catch {
    return 0;
  }
}

/** Picks a free loopback TCP port. */

async function main(): Promise<void> {
  const {
    stackLayout,
    startStackComponent,
    stopStackComponent,
    jaegerConfiguredTenants,
    runningPid,
  } = await import("./infra/stack.ts");
  const { startCollector } = await import("./infra/collector.ts");
  const l = stackLayout();
  const ingestUrl = `http://127.0.0.1:${l.ports.ingest}`;
  const health = await fetch(`${ingestUrl}/healthz`).then((r) => r.ok, () => false);
  if (!health) {
    throw new Error(`ingest is not running on ${ingestUrl}; start the stack with: deno task up`);
  }

  // Tenant A is up's "demo" tenant; tenant B ("demo-b") is created here on first use.
  const tokenA = (await Deno.readTextFile(l.demoTokenFile)).trim();
  const tokenBFile = `${l.stateDir}/demo-b-token`;
  let tokenB = await Deno.readTextFile(tokenBFile).then((t) => t.trim(), () => "");
  const file = await readTenantsFile(l.tenantsFile);
  if (!file.tenants.some((t) => t.id === "demo-b") || !tokenB) {
    const exists = file.tenants.some((t) => t.id === "demo-b");
    const args = exists
      ? ["token", "issue", "demo-b"]
      : ["create", "demo-b", "--name", "Demo Bank", "--numeric-id", "101"];
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${l.root}/tasks/tenant.ts`, ...args, "--file", l.tenantsFile],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error("could not create tenant demo-b");
    tokenB = new TextDecoder().decode(out.stdout).trim().split("\n").pop()!.trim();
    await Deno.writeTextFile(tokenBFile, `${tokenB}\n`, { mode: 0o600 });
  }

  // Jaeger's tenant list is fixed in its config: restart it if demo-b is new to it.
  const tenants = (await readTenantsFile(l.tenantsFile)).tenants.map((t) => t.id);
  const configured = await jaegerConfiguredTenants(l);
  if (runningPid(l, "jaeger") !== undefined && !(configured ?? []).includes("demo-b")) {
    console.error("demo: restarting Jaeger so it knows tenant demo-b");
    await stopStackComponent(l, "jaeger");
    await startStackComponent(l, "jaeger", { tenants });
  }

  const ports = { a: freePort(), b: freePort() };
  const dir = await Deno.makeTempDir({ prefix: "obstack-demo-" });
  const collector = await startCollector({
    name: "demo-collector",
    config: demoCollectorConfig(ingestUrl, [
      { id: "demo", port: ports.a, tokenEnv: "DEMO_TOKEN_A" },
      { id: "demo-b", port: ports.b, tokenEnv: "DEMO_TOKEN_B" },
    ]),
    dataDir: dir,
    logFile: `${l.logDir}/demo-collector.log`,
    env: { DEMO_TOKEN_A: tokenA, DEMO_TOKEN_B: tokenB },
    ready: [
      { tcp: { host: "127.0.0.1", port: ports.a } },
      { tcp: { host: "127.0.0.1", port: ports.b } },
    ],
    ports: [ports.a, ports.b],
  });
  try {
    const now = Date.now();
    const prom = `http://127.0.0.1:${l.ports.prometheus}`;
    const a = demoData("shop", now, await newestDemoSampleMs(prom, "demo"));
    const b = demoData("bank", now, await newestDemoSampleMs(prom, "demo-b"));
    await sendDemoData(`http://127.0.0.1:${ports.a}`, a);
    await sendDemoData(`http://127.0.0.1:${ports.b}`, b);
    const consoleUrl = `http://127.0.0.1:${l.ports.console}`;
    console.log([
      "",
      "Sample data sent by the OpenTelemetry Collector through ingest for two tenants.",
      `  Console: ${consoleUrl}  (log in with a token)`,
      `  Tenant demo   (a shop) token: ${tokenA}`,
      `  Tenant demo-b (a bank) token: ${tokenB}`,
      "  Try: Metrics → rate(demo_http_requests_total[1m]); Traces → the POST /checkout traces;",
      `       Logs → level error; Search → "${a.known.searchWord}" (demo) or "${b.known.searchWord}" (demo-b).`,
      "",
    ].join("\n"));
  } finally {
    await collector.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (err) {
    console.error(`demo: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
