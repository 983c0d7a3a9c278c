/**
 * The whole write path with real clients and real stores: the OpenTelemetry Collector (fed by
 * telemetrygen) and Prometheus (remote write) send through ingest for two tenants; the forwarder
 * carries everything to Prometheus, Jaeger (for Tempo), VictoriaLogs (for Loki) and OpenSearch;
 * each tenant's data is found in every store under its own tenant only.
 */
import assert from "node:assert/strict";
import { startCollector } from "../../tasks/infra/collector.ts";
import { startPrometheus } from "../../tasks/infra/prometheus.ts";
import type { Component } from "../../tasks/infra/process.ts";
import { createTopics, startTestIngest, uniqueTopics } from "../_helpers/ingest.ts";
import { freePort } from "../../tasks/infra/ports.ts";
import { writeTestTenants } from "../_helpers/tenants.ts";
import {
  forwarderEnv,
  opensearchCount,
  promQuery,
  randomHex,
  runForwarder,
  vlogsCounts,
  waitFor,
} from "../../forwarder/_test_helpers.ts";

const env = (k: string) => Deno.env.get(k);
const kafka = env("OBSTACK_TEST_KAFKA");
const prometheus = env("OBSTACK_TEST_PROMETHEUS");
const vlogs = env("OBSTACK_TEST_VLOGS");
const opensearch = env("OBSTACK_TEST_OPENSEARCH");
const jaegerGrpc = env("OBSTACK_TEST_JAEGER_GRPC");
const jaegerQuery = env("OBSTACK_TEST_JAEGER_QUERY");
const otelcol = env("OBSTACK_BIN_OTELCOL");
const telemetrygen = env("OBSTACK_BIN_TELEMETRYGEN");
const promBin = env("OBSTACK_BIN_PROMETHEUS");
const PREFIX = "fwdwhole";
/** The tenants' numeric ids (VictoriaLogs AccountID), as written to the tenants file. */
const ACCOUNT = { "tenant-a": 1, "tenant-b": 2 } as const;

async function telemetry(args: string[]): Promise<void> {
  const out = await new Deno.Command(telemetrygen!, { args, stdout: "null", stderr: "piped" })
    .output();
  // telemetrygen exits 0 even when exports fail; the stores are what the test checks.
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr).slice(-1000));
}

/** Jaeger's trace search for a service, as a tenant. */
async function jaegerServiceTraces(
  tenant: string,
  service: string,
): Promise<{ spans: unknown[] }[]> {
  const res = await fetch(
    `${jaegerQuery}/api/traces?${new URLSearchParams({ service, limit: "50", lookback: "1h" })}`,
    {
      headers: { "X-Scope-OrgID": tenant },
    },
  );
  const body = await res.json();
  return body.data ?? [];
}

Deno.test({
  name:
    "Collector and Prometheus → ingest → Kafka → forwarder → every store, each tenant under its own tenant only",
  ignore: !kafka || !prometheus || !vlogs || !opensearch || !jaegerGrpc || !jaegerQuery ||
    !otelcol || !telemetrygen ||
    !promBin,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const brokers = [kafka!];
    const topics = uniqueTopics("fwdwhole");
    await createTopics(brokers, topics);
    const tenants = await writeTestTenants([{ id: "tenant-a", numericId: 1 }, {
      id: "tenant-b",
      numericId: 2,
    }]);
    const ingest = await startTestIngest({ brokers, tenantsFile: tenants.path, topics });
    const fwd = await runForwarder(
      forwarderEnv(kafka!, topics, ["prometheus", "traces", "logs", "opensearch"], {
        OBSTACK_PROMETHEUS_URL: `${prometheus}/api/v1/write`,
        OBSTACK_TRACES_BACKEND: "jaeger",
        OBSTACK_TRACES_ENDPOINT: jaegerGrpc!,
        OBSTACK_LOGS_BACKEND: "victorialogs",
        OBSTACK_LOKI_URL: vlogs!,
        OBSTACK_OPENSEARCH_URL: opensearch!,
        OBSTACK_OPENSEARCH_INDEX_PREFIX: PREFIX,
        OBSTACK_TENANTS_FILE: tenants.path,
      }),
    );
    const dir = await Deno.makeTempDir({ prefix: "fwd-whole-" });
    const run = randomHex(3);
    const svc = { "tenant-a": `whole-a-${run}`, "tenant-b": `whole-b-${run}` } as const;
    const started: Component[] = [];
    try {
      // One Collector per tenant, each with nothing but the ingest URL and that tenant's token.
      const ports: Record<string, number> = {};
      for (const tenant of ["tenant-a", "tenant-b"] as const) {
        const port = freePort();
        ports[tenant] = port;
        started.push(
          await startCollector({
            name: `otelcol-${tenant}`,
            dataDir: dir,
            logFile: `${dir}/otelcol-${tenant}.log`,
            env: { OBSTACK_TOKEN: tenants.tokens[tenant]! },
            ports: [port],
            config: `
extensions:
  bearertokenauth:
    token: "\${env:OBSTACK_TOKEN}"
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${port}
exporters:
  otlp_http:
    endpoint: ${ingest.url}
    auth:
      authenticator: bearertokenauth
service:
  extensions: [bearertokenauth]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs: { receivers: [otlp], exporters: [otlp_http] }
    metrics: { receivers: [otlp], exporters: [otlp_http] }
    traces: { receivers: [otlp], exporters: [otlp_http] }
`,
          }),
        );
      }
      // One Prometheus scraping itself, remote-writing once per tenant token.
      const promPort = freePort();
      const job = `whole-prom-${run}`;
      started.push(
        await startPrometheus({
          name: "prometheus-client",
          port: promPort,
          dataDir: `${dir}/prom`,
          logFile: `${dir}/prometheus.log`,
          config: `
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: ${job}
    static_configs:
      - targets: ["127.0.0.1:${promPort}"]
remote_write:
${
            (["tenant-a", "tenant-b"] as const).map((t) =>
              `  - url: ${ingest.url}/api/v1/write
    name: ${t}
    authorization:
      credentials: "${tenants.tokens[t]}"
    queue_config:
      batch_send_deadline: 1s
`
            ).join("")
          }`,
        }),
      );

      for (const tenant of ["tenant-a", "tenant-b"] as const) {
        const common = [
          "--otlp-endpoint",
          `127.0.0.1:${ports[tenant]}`,
          "--otlp-insecure",
          "--rate",
          "0",
          "--service",
          svc[tenant],
        ];
        await telemetry(["logs", ...common, "--logs", "10", "--body", `line of ${tenant}`]);
        await telemetry(["traces", ...common, "--traces", "5"]);
        await telemetry(["metrics", ...common, "--metrics", "5"]);
      }

      for (const [tenant, other] of [["tenant-a", "tenant-b"], ["tenant-b", "tenant-a"]] as const) {
        const mine = svc[tenant];
        // Prometheus store: the Collector's metric and the Prometheus client's own `up`.
        await waitFor(`${tenant} metrics`, async () => {
          const r = await promQuery(prometheus!, `gen{job="${mine}"}`);
          return r.length > 0 ? r : undefined;
        }, 60_000);
        assert.deepEqual(
          [
            ...new Set(
              (await promQuery(prometheus!, `gen{job="${mine}"}`)).map((s) => s.metric.tenant_id),
            ),
          ],
          [tenant],
        );
        await waitFor(`${tenant} remote write`, async () => {
          const r = await promQuery(prometheus!, `up{job="${job}",tenant_id="${tenant}"}`);
          return r.length === 1 ? r : undefined;
        }, 60_000);

        // Trace store: found as this tenant, invisible to the other.
        const traces = await waitFor(`${tenant} traces`, async () => {
          const t = await jaegerServiceTraces(tenant, mine);
          return t.length >= 5 ? t : undefined;
        }, 60_000);
        assert.equal(traces.length, 5);
        assert.deepEqual(await jaegerServiceTraces(other, mine), []);

        // Log store: in this tenant's account only.
        const counts = await waitFor(`${tenant} logs`, async () => {
          const c = await vlogsCounts(vlogs!, ACCOUNT[tenant], mine);
          return c.total >= 10 ? c : undefined;
        }, 60_000);
        assert.equal(counts.total, 10);
        assert.equal((await vlogsCounts(vlogs!, ACCOUNT[other], mine)).total, 0);

        // OpenSearch: in this tenant's indices only.
        await waitFor(
          `${tenant} documents`,
          async () =>
            await opensearchCount(opensearch!, `${PREFIX}-${tenant}-*`, mine) === 10
              ? true
              : undefined,
          60_000,
        );
        assert.equal(await opensearchCount(opensearch!, `${PREFIX}-${other}-*`, mine), 0);
      }
    } finally {
      for (const c of started.reverse()) await c.stop().catch(() => {});
      await fwd.stop();
      await ingest.stop();
      await tenants.cleanup();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
