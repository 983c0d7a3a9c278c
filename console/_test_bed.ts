/**
 * Test helpers for the console's integration and end-to-end tests: a temporary tenants file
 * with two tenants, a console wired to the real stores of the test bed, and loaders that put
 * each tenant's data *directly* into those stores (each with that store's own tenancy), so a test
 * can check that tenant A sees only A's data whatever it sends.
 * @module
 */
import { Buffer } from "node:buffer";
import * as grpc from "@grpc/grpc-js";
import { otlpJsonToProtobuf } from "../lib/codec/otlp.ts";
import { encodeWriteRequestV1 } from "../lib/codec/remote_write/v1.ts";
import { snappyEncode } from "../lib/codec/snappy.ts";
import {
  createTenantRegistry,
  hashPassword,
  hashToken,
  type TenantRegistry,
  writeTenantsFile,
} from "../lib/tenant/mod.ts";
import { createAuthenticator } from "./auth.ts";
import { createVictoriaLogsReader } from "./logs/victorialogs_reader.ts";
import { createPrometheusReader } from "./metrics/prometheus_reader.ts";
import { createOpenSearchSearch } from "./search/opensearch_search.ts";
import { createConsole } from "./server.ts";
import { createLoginLimiter, createSessionStore, SESSION_COOKIE } from "./session/mod.ts";
import { createJaegerReader } from "./traces/jaeger_reader.ts";
import { loadUiAssets } from "./ui/assets.ts";

/** A test tenant with its plain token and console user. */
export interface TestTenant {
  /** Tenant id (one the test bed's Jaeger knows). */
  id: string;
  /** Numeric id (VictoriaLogs AccountID). */
  numericId: number;
  /** Plain token. */
  token: string;
  /** Console user name. */
  user: string;
  /** Console user password. */
  password: string;
}

function randomToken(): string {
  const b = crypto.getRandomValues(new Uint8Array(32));
  return "obs_" + btoa(String.fromCharCode(...b)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** Tenants A and B of the test bed (Jaeger's tenant list has them; numeric ids 1 and 2). */
export function testTenants(): { a: TestTenant; b: TestTenant } {
  return {
    a: {
      id: "tenant-a",
      numericId: 1,
      token: randomToken(),
      user: "alice",
      password: "alice-pw-1",
    },
    b: { id: "tenant-b", numericId: 2, token: randomToken(), user: "bob", password: "bob-pw-2" },
  };
}

/** Writes a tenants file with the given tenants (token hashes, cheap password hashes). */
export async function writeTestTenantsFile(path: string, tenants: TestTenant[]): Promise<void> {
  await writeTenantsFile(path, {
    tenants: await Promise.all(tenants.map(async (t) => ({
      id: t.id,
      numericId: t.numericId,
      name: t.id === "tenant-a" ? "Tenant A" : t.id === "tenant-b" ? "Tenant B" : t.id,
      enabled: true,
      tokens: [{
        id: "test",
        hash: await hashToken(t.token),
        created: new Date().toISOString(),
        revoked: false,
      }],
      limits: {},
      users: [{ name: t.user, passwordHash: await hashPassword(t.password, 1000) }],
    }))),
  });
}

/** Store URLs of the test bed from the environment (`OBSTACK_TEST_*`). */
export const TEST_STORES = {
  prometheus: Deno.env.get("OBSTACK_TEST_PROMETHEUS"),
  jaegerQuery: Deno.env.get("OBSTACK_TEST_JAEGER_QUERY"),
  jaegerGrpc: Deno.env.get("OBSTACK_TEST_JAEGER_GRPC"),
  vlogs: Deno.env.get("OBSTACK_TEST_VLOGS"),
  opensearch: Deno.env.get("OBSTACK_TEST_OPENSEARCH"),
};

/** A console wired to the test bed, driven without a socket. */
export interface TestConsole {
  /** Tenants A and B. */
  tenants: { a: TestTenant; b: TestTenant };
  /** Logs in with a token; returns the `Cookie` header value. */
  login(t: TestTenant): Promise<string>;
  /** GET an API path as a session; returns status and parsed JSON. */
  get(
    path: string,
    cookie: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Stops the registry and removes the temporary files. */
  cleanup(): Promise<void>;
}

const UNREACHABLE = "http://127.0.0.1:9";

/**
 * Creates a console whose readers point at the test bed (stores not configured point at a
 * closed port, so an endpoint that needs them answers 503).
 */
export async function startTestConsole(): Promise<TestConsole> {
  const tenants = testTenants();
  const dir = await Deno.makeTempDir({ prefix: "obstack-console-test-" });
  const path = `${dir}/tenants.yaml`;
  await writeTestTenantsFile(path, [tenants.a, tenants.b]);
  const registry: TenantRegistry = await createTenantRegistry({ path, pollIntervalMs: 0 });
  const app = createConsole({
    registry,
    auth: createAuthenticator({ registry, tenantsFile: path }),
    sessions: createSessionStore({ ttlMs: 3600_000 }),
    loginLimiter: createLoginLimiter({ attemptsPerMinute: 1000 }),
    ui: await loadUiAssets(),
    secureCookie: false,
    allowedOrigins: [],
    prometheus: createPrometheusReader({ url: TEST_STORES.prometheus ?? UNREACHABLE }),
    traces: createJaegerReader({ url: TEST_STORES.jaegerQuery ?? UNREACHABLE }),
    logs: createVictoriaLogsReader({ url: TEST_STORES.vlogs ?? UNREACHABLE }),
    search: createOpenSearchSearch({ url: TEST_STORES.opensearch ?? UNREACHABLE }),
  });
  const origin = "http://console.test";
  return {
    tenants,
    async login(t) {
      const resp = await app.handle(
        new Request(`${origin}/login`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Origin: origin },
          body: JSON.stringify({ token: t.token }),
        }),
      );
      await resp.body?.cancel();
      const m = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(resp.headers.get("Set-Cookie") ?? "");
      if (resp.status !== 200 || !m) throw new Error(`login as ${t.id} failed: ${resp.status}`);
      return `${SESSION_COOKIE}=${m[1]}`;
    },
    async get(p, cookie, headers = {}) {
      const resp = await app.handle(
        new Request(`${origin}${p}`, { headers: { Cookie: cookie, ...headers } }),
      );
      const text = await resp.text();
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text);
      } catch {
        body = { raw: text };
      }
      return { status: resp.status, body };
    },
    async cleanup() {
      registry.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A unique marker for one test run, so data of earlier runs never satisfies an assertion. */
export function runMarker(prefix: string): string {
  return `${prefix}${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

/** Polls `check` every 200 ms until it returns a truthy value (stores index asynchronously). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Pushes log lines into VictoriaLogs (Loki JSON push) under a tenant's AccountID. */
export async function pushVictoriaLogs(
  url: string,
  t: Pick<TestTenant, "id" | "numericId">,
  lines: { service: string; level: string; line: string; timeMs?: number }[],
): Promise<void> {
  const streams = lines.map((l) => ({
    stream: { tenant_id: t.id, service_name: l.service, level: l.level },
    values: [[String(BigInt(l.timeMs ?? Date.now()) * 1_000_000n), l.line]],
  }));
  const resp = await fetch(`${url}/insert/loki/api/v1/push`, {
    method: "POST",
    headers: { "Content-Type": "application/json", AccountID: String(t.numericId) },
    body: JSON.stringify({ streams }),
  });
  const text = await resp.text();
  if (resp.status !== 204 && resp.status !== 200) {
    throw new Error(`VictoriaLogs push: ${resp.status} ${text}`);
  }
}

/** Writes samples into Prometheus by remote write 1.0, labels sorted as the spec requires. */
export async function remoteWrite(
  url: string,
  series: { labels: Record<string, string>; samples: [number, number][] }[],
): Promise<void> {
  const body = encodeWriteRequestV1({
    timeseries: series.map((s) => ({
      labels: Object.keys(s.labels).sort().map((name) => ({ name, value: s.labels[name]! })),
      samples: s.samples.map(([timestamp, value]) => ({ timestamp, value })),
      exemplars: [],
      histograms: [],
    })),
    metadata: [],
  });
  const resp = await fetch(`${url}/api/v1/write`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-protobuf",
      "Content-Encoding": "snappy",
      "X-Prometheus-Remote-Write-Version": "0.1.0",
    },
    body: snappyEncode(body) as Uint8Array<ArrayBuffer>,
  });
  const text = await resp.text();
  if (!resp.ok) throw new Error(`remote write: ${resp.status} ${text}`);
}

/** A span for {@linkcode exportTraces} (ids in hex). */
export interface TestSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  durationMs: number;
  error?: boolean;
  attributes?: Record<string, string>;
}

/**
 * Sends one trace to Jaeger's `remote_storage` gRPC endpoint (OTLP TraceService/Export) with
 * `x-scope-orgid: <tenant>` — the only path on which Jaeger files spans under a tenant.
 */
export async function exportTraces(
  grpcAddr: string,
  tenantId: string,
  traceId: string,
  service: string,
  spans: TestSpan[],
): Promise<void> {
  const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
  const json = {
    resourceSpans: [{
      resource: {
        attributes: [
          { key: "service.name", value: { stringValue: service } },
          { key: "tenant_id", value: { stringValue: tenantId } },
        ],
      },
      scopeSpans: [{
        scope: { name: "obstack-console-test" },
        spans: spans.map((s) => ({
          traceId,
          spanId: s.spanId,
          ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
          name: s.name,
          kind: 2,
          startTimeUnixNano: ns(s.startMs),
          endTimeUnixNano: ns(s.startMs + s.durationMs),
          attributes: Object.entries(s.attributes ?? {}).map(([key, v]) => ({
            key,
            value: { stringValue: v },
          })),
          status: s.error ? { code: 2, message: "failed" } : { code: 1 },
        })),
      }],
    }],
  };
  const payload = otlpJsonToProtobuf("traces", JSON.stringify(json));
  const client = new grpc.Client(grpcAddr, grpc.credentials.createInsecure());
  try {
    const md = new grpc.Metadata();
    md.set("x-scope-orgid", tenantId);
    await new Promise<void>((resolve, reject) => {
      client.makeUnaryRequest(
        "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
        (b: Uint8Array) => Buffer.from(b),
        (b: Buffer) => b,
        payload,
        md,
        { deadline: Date.now() + 10_000 },
        (err) => (err ? reject(err) : resolve()),
      );
    });
  } finally {
    client.close();
  }
}

/** Indexes documents into OpenSearch (`_bulk`, refreshed so they are searchable at once). */
export async function bulkIndex(
  url: string,
  docs: { index: string; doc: Record<string, unknown> }[],
): Promise<void> {
  const lines = docs.flatMap((
    d,
  ) => [JSON.stringify({ index: { _index: d.index } }), JSON.stringify(d.doc)]);
  const resp = await fetch(`${url}/_bulk?refresh=true`, {
    method: "POST",
    headers: { "Content-Type": "application/x-ndjson" },
    body: lines.join("\n") + "\n",
  });
  const body = await resp.json();
  if (!resp.ok || body.errors) {
    throw new Error(`bulk: ${resp.status} ${JSON.stringify(body).slice(0, 500)}`);
  }
}

/** Today's daily index name of a tenant (`logs-<tenant>-YYYY.MM.DD`, UTC). */
export function dailyIndex(tenantId: string, ms = Date.now()): string {
  const iso = new Date(ms).toISOString();
  return `logs-${tenantId}-${iso.slice(0, 4)}.${iso.slice(5, 7)}.${iso.slice(8, 10)}`;
}
