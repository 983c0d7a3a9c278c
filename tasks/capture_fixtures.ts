/**
 * Captures golden codec fixtures from real clients into `lib/codec/testdata/`:
 *
 * - the OpenTelemetry Collector's `otlp_http` exporter (protobuf, JSON, and gzip'd protobuf),
 *   fed by `telemetrygen` over OTLP/gRPC, for logs, metrics and traces;
 * - Prometheus' remote write 1.0 and 2.0 (it scrapes itself and writes to us).
 *
 * A tiny Deno server on loopback records each raw request body exactly as received; the
 * files and `manifest.json` (what each file is, with the request headers that matter) are
 * written next to a README. Binaries come from the infra helper's Go build cache
 * (`OBSTACK_BIN_*` or the cache); this task never builds them.
 *
 * Usage: `deno run -A tasks/capture_fixtures.ts [otel] [prometheus]` (default both).
 *
 * @module
 */
import { goBinEnv } from "./infra/gobuild.ts";
import { startCollector } from "./infra/collector.ts";
import { startPrometheus } from "./infra/prometheus.ts";
import type { Component } from "./infra/process.ts";
import { snappyDecode } from "../lib/codec/snappy.ts";
import { stampRemoteWriteV1 } from "../lib/codec/remote_write/v1.ts";
import { decodeWriteRequestV2, stampRemoteWriteV2 } from "../lib/codec/remote_write/v2.ts";
import { freePort } from "./infra/ports.ts";

const OUT = new URL("../lib/codec/testdata/", import.meta.url).pathname;
const WORK = await Deno.makeTempDir({ prefix: "obstack-capture-" });

/** One request as the capture server saw it. */
interface Captured {
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
  at: number;
}

/** A fixture entry of manifest.json. */
interface FixtureEntry {
  file: string;
  client: string;
  kind: "otlp" | "prom-rw-v1" | "prom-rw-v2";
  signal?: "logs" | "metrics" | "traces";
  /** Request headers that describe the body. */
  contentType: string;
  contentEncoding?: string;
  userAgent?: string;
  /** Other files holding the same data in another encoding. */
  sameDataAs?: string[];
  note?: string;
}

const KEEP_HEADERS = [
  "content-type",
  "content-encoding",
  "user-agent",
  "x-prometheus-remote-write-version",
];

function log(msg: string) {
  console.log(`capture: ${msg}`);
}

function startCaptureServer(): { port: number; seen: Captured[]; close: () => Promise<void> } {
  const seen: Captured[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      const body = new Uint8Array(await req.arrayBuffer());
      const headers: Record<string, string> = {};
      for (const h of KEEP_HEADERS) {
        const v = req.headers.get(h);
        if (v !== null) headers[h] = v;
      }
      seen.push({ path: url.pathname, headers, body, at: Date.now() });
      if (url.pathname.startsWith("/rw")) {
        // Answer like a remote write receiver; 2.0 senders read the *-Written headers.
        try {
          const raw = snappyDecode(body, 64 << 20);
          const v2 = url.pathname.startsWith("/rw2");
          const r = v2 ? stampRemoteWriteV2(raw, "capture") : stampRemoteWriteV1(raw, "capture");
          const h = new Headers();
          if (v2) {
            h.set("X-Prometheus-Remote-Write-Samples-Written", String(r.samples));
            h.set("X-Prometheus-Remote-Write-Histograms-Written", String(r.histograms));
            h.set("X-Prometheus-Remote-Write-Exemplars-Written", String(r.exemplars));
          }
          return new Response(null, { status: 204, headers: h });
        } catch (e) {
          log(`remote write body refused by our codec: ${(e as Error).message}`);
          return new Response((e as Error).message, { status: 400 });
        }
      }
      const json = (req.headers.get("content-type") ?? "").includes("json");
      return new Response(json ? "{}" : new Uint8Array(0), {
        status: 200,
        headers: { "content-type": json ? "application/json" : "application/x-protobuf" },
      });
    },
  );
  return {
    port: server.addr.port,
    seen,
    close: async () => {
      ac.abort();
      await server.finished;
    },
  };
}

/** Version of a Go module as pinned in one of the project's `tools/<module>/go.mod`. */
async function goModVersion(module: string, path: string): Promise<string> {
  const text = await Deno.readTextFile(new URL(`../tools/${module}/go.mod`, import.meta.url));
  const m = text.match(new RegExp(`^\\s*${path.replace(/[.]/g, "\\.")} (v[^\\s]+)`, "m"));
  return m?.[1] ?? "unknown";
}

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr).slice(-500)}`,
    );
  }
}

/** Waits until `done()` holds and nothing new arrived for `quietMs`, or fails after `timeoutMs`. */
async function settle(
  seen: Captured[],
  done: () => boolean,
  what: string,
  quietMs = 3000,
  timeoutMs = 60_000,
): Promise<void> {
  const start = Date.now();
  for (;;) {
    const last = seen.at(-1)?.at ?? 0;
    if (done() && Date.now() - last >= quietMs) return;
    if (Date.now() - start > timeoutMs) {
      const got = seen.slice(0, 12).map((c) => `${c.path} (${c.body.length} B)`).join(", ");
      throw new Error(`capture: timed out waiting for ${what}; got: ${got || "nothing"}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function captureOtel(bins: Record<string, string>, entries: FixtureEntry[]) {
  const otelcol = bins.OBSTACK_BIN_OTELCOL;
  const telemetrygen = bins.OBSTACK_BIN_TELEMETRYGEN;
  if (!otelcol || !telemetrygen) throw new Error("Collector/telemetrygen binaries not built yet");
  const version = new TextDecoder().decode(
    (await new Deno.Command(otelcol, { args: ["--version"], stdout: "piped" }).output()).stdout,
  ).trim() + `; telemetrygen ${await goModVersion(
    "otel",
    "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen",
  )}`;
  const cap = startCaptureServer();
  const grpc = freePort();
  const exporter = (path: string, encoding: string, compression: string) => ({
    endpoint: `http://127.0.0.1:${cap.port}/${path}`,
    encoding,
    compression,
    retry_on_failure: { enabled: false },
    sending_queue: { enabled: false },
  });
  const exporters = ["otlp_http/proto", "otlp_http/json", "otlp_http/gzip"];
  const config = {
    receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${grpc}` } } } },
    // One batch per signal, so all three exporters see the same data in one request each.
    processors: { batch: { timeout: "3s", send_batch_size: 100000 } },
    exporters: {
      "otlp_http/proto": exporter("proto", "proto", "none"),
      "otlp_http/json": exporter("json", "json", "none"),
      "otlp_http/gzip": exporter("gzip", "proto", "gzip"),
    },
    service: {
      telemetry: { metrics: { level: "none" }, logs: { level: "warn" } },
      pipelines: Object.fromEntries(
        ["traces", "logs", "metrics"].map((s) => [s, {
          receivers: ["otlp"],
          processors: ["batch"],
          exporters,
        }]),
      ),
    },
  };
  let collector: Component | undefined;
  try {
    collector = await startCollector({
      config: JSON.stringify(config, null, 2), // JSON is valid YAML
      dataDir: WORK,
      logFile: `${WORK}/otelcol.log`,
      ready: [{ tcp: { host: "127.0.0.1", port: grpc } }],
      ports: [grpc],
      name: "otelcol-capture",
    });
    const common = [
      "--otlp-endpoint",
      `127.0.0.1:${grpc}`,
      "--otlp-insecure",
      "--rate",
      "0",
      "--service",
      "fixture-svc",
      // A client-supplied tenant_id, so the fixtures also exercise its removal.
      "--otlp-attributes",
      'tenant_id="spoofed"',
    ];
    log("telemetrygen traces/logs/metrics → Collector (OTLP/gRPC)");
    await run(telemetrygen, [
      "traces",
      ...common,
      "--traces",
      "3",
      "--child-spans",
      "2",
      "--span-links",
      "1",
      "--status-code",
      "Error",
    ]);
    await run(telemetrygen, [
      "logs",
      ...common,
      "--logs",
      "4",
      "--body",
      "fixture log line ✓",
      "--severity-text",
      "Warn",
      "--severity-number",
      "13",
    ]);
    for (const type of ["Gauge", "Sum", "Histogram", "ExponentialHistogram"]) {
      await run(telemetrygen, ["metrics", ...common, "--metrics", "2", "--metric-type", type]);
    }
    const paths = ["proto", "json", "gzip"].flatMap((p) =>
      ["traces", "logs", "metrics"].map((s) => `/${p}/v1/${s}`)
    );
    await settle(
      cap.seen,
      () => paths.every((p) => cap.seen.some((c) => c.path === p)),
      "Collector exports",
    );
  } finally {
    await collector?.stop();
    await cap.close();
  }
  for (const signal of ["traces", "logs", "metrics"] as const) {
    const names: string[] = [];
    for (const [dir, ext] of [["proto", "pb"], ["json", "json"], ["gzip", "pb.gz"]] as const) {
      const hits = cap.seen.filter((c) => c.path === `/${dir}/v1/${signal}`);
      hits.forEach((c, i) => {
        const file = `otelcol/${signal}${hits.length > 1 ? `-${i}` : ""}.${ext}`;
        Deno.writeFileSync(`${OUT}${file}`, c.body);
        names.push(file);
        entries.push({
          file,
          client: version,
          kind: "otlp",
          signal,
          contentType: c.headers["content-type"] ?? "",
          contentEncoding: c.headers["content-encoding"],
          userAgent: c.headers["user-agent"],
        });
      });
    }
    // The three exporters share the pipeline, so the i-th request of each holds the same data.
    for (const e of entries) {
      if (e.kind === "otlp" && e.signal === signal) {
        const idx = e.file.match(/-(\d+)\./)?.[1];
        e.sameDataAs = names.filter((n) => n !== e.file && (n.match(/-(\d+)\./)?.[1] === idx));
      }
    }
  }
}

/** A 2.0 request in which some series carry metadata (type or help). */
function withMetadata(c: Captured): boolean {
  return decodeWriteRequestV2(snappyDecode(c.body, 64 << 20)).timeseries.some((t) =>
    t.metadata && (t.metadata.type || t.metadata.helpRef)
  );
}

async function capturePrometheus(bins: Record<string, string>, entries: FixtureEntry[]) {
  const prometheus = bins.OBSTACK_BIN_PROMETHEUS;
  if (!prometheus) throw new Error("Prometheus binary not built yet");
  // A build without release ldflags prints an empty version; the module version is the truth.
  const version = `prometheus ${await goModVersion(
    "prometheus",
    "github.com/prometheus/prometheus",
  )}`;
  const cap = startCaptureServer();
  const port = freePort();
  const rw = (name: string, message: string, extra: Record<string, unknown>) => ({
    name,
    url: `http://127.0.0.1:${cap.port}/${name}/api/v1/write`,
    protobuf_message: message,
    queue_config: { batch_send_deadline: "1s", min_backoff: "100ms", max_backoff: "1s" },
    ...extra,
  });
  const config = (nativeHistograms: boolean) =>
    JSON.stringify(
      {
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        scrape_configs: [{
          job_name: "prometheus",
          static_configs: [{ targets: [`127.0.0.1:${port}`] }],
          ...(nativeHistograms ? { scrape_native_histograms: true } : {}),
        }],
        remote_write: [
          rw("rw1", "prometheus.WriteRequest", {
            send_exemplars: true,
            send_native_histograms: true,
            metadata_config: { send: true, send_interval: "2s" },
          }),
          rw("rw2", "io.prometheus.write.v2.Request", {
            send_exemplars: true,
            send_native_histograms: true,
            metadata_config: { send: true, send_interval: "2s" },
          }),
        ],
      },
      null,
      2,
    );
  let prom: Component | undefined;
  let native = true;
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    try {
      prom = await startPrometheus({
        port,
        dataDir: `${WORK}/prometheus`,
        config: config(true),
        // 2.0 takes per-series metadata from WAL metadata records, off by default.
        extraArgs: ["--enable-feature=metadata-wal-records"],
        logFile: `${WORK}/prometheus.log`,
        name: "prometheus-capture",
        timeoutMs: 60_000,
      });
    } catch (e) {
      // Older configs have no scrape_native_histograms: capture without native histograms.
      log(`start with native histograms failed (${(e as Error).message.slice(0, 120)}); retrying`);
      native = false;
      prom = await startPrometheus({
        port,
        dataDir: `${WORK}/prometheus2`,
        config: config(false),
        extraArgs: ["--enable-feature=metadata-wal-records"],
        logFile: `${WORK}/prometheus2.log`,
        name: "prometheus-capture",
      });
    }
    const stats = (c: Captured) => {
      const raw = snappyDecode(c.body, 64 << 20);
      return c.path.startsWith("/rw2")
        ? stampRemoteWriteV2(raw, "x")
        : stampRemoteWriteV1(raw, "x");
    };
    const has = (prefix: string, pred: (s: ReturnType<typeof stats>) => boolean) =>
      cap.seen.some((c) => c.path.startsWith(prefix) && pred(stats(c)));
    timer = setInterval(() => {
      const rows = cap.seen.map((c) => {
        const s = stats(c);
        return `${c.path.slice(0, 4)}:${s.series}/${s.samples}/${s.histograms}/${s.exemplars}`;
      });
      log(`so far (series/samples/histograms/exemplars): ${rows.slice(-6).join(" ")}`);
    }, 10_000);
    log("Prometheus scrapes itself and remote-writes (1.0 and 2.0) to the capture server");
    const required = () =>
      cap.seen.some((c) => c.path.startsWith("/rw2") && withMetadata(c)) &&
      has("/rw1", (s) => s.samples > 0) &&
      has("/rw1", (s) => s.series === 0) && // a metadata-only request
      has("/rw2", (s) => s.samples > 0);
    await settle(cap.seen, required, "Prometheus remote writes", 0, 60_000);
    if (native) {
      // Native histograms follow once their series have been scraped; give them a while.
      const deadline = Date.now() + 20_000;
      while (
        Date.now() < deadline &&
        !(has("/rw1", (s) => s.histograms > 0) && has("/rw2", (s) => s.histograms > 0))
      ) await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    clearInterval(timer);
    await prom?.stop();
    await cap.close();
  }
  const pick = (prefix: string, pred: (s: { series: number; histograms: number }) => boolean) =>
    cap.seen.find((c) => {
      if (!c.path.startsWith(prefix)) return false;
      const raw = snappyDecode(c.body, 64 << 20);
      return pred(prefix === "/rw2" ? stampRemoteWriteV2(raw, "x") : stampRemoteWriteV1(raw, "x"));
    });
  const choices: [string, Captured | undefined, "prom-rw-v1" | "prom-rw-v2", string][] = [
    [
      "prometheus/rw1-samples.snappy",
      pick("/rw1", (s) => s.series > 0 && s.histograms > 0) ?? pick("/rw1", (s) => s.series > 0),
      "prom-rw-v1",
      "first 1.0 request with series (native histograms included when scraped)",
    ],
    [
      "prometheus/rw1-metadata.snappy",
      pick("/rw1", (s) => s.series === 0),
      "prom-rw-v1",
      "a 1.0 metadata-only request",
    ],
    [
      "prometheus/rw2.snappy",
      cap.seen.find((c) =>
        c.path.startsWith("/rw2") && withMetadata(c) &&
        stampRemoteWriteV2(snappyDecode(c.body, 64 << 20), "x").histograms > 0
      ) ?? pick("/rw2", (s) => s.series > 0),
      "prom-rw-v2",
      "first 2.0 request with series, per-series metadata and native histograms (else the first with series)",
    ],
  ];
  for (const [file, c, kind, note] of choices) {
    if (!c) {
      log(`no request for ${file}`);
      continue;
    }
    Deno.writeFileSync(`${OUT}${file}`, c.body);
    entries.push({
      file,
      client: version,
      kind,
      contentType: c.headers["content-type"] ?? "",
      contentEncoding: c.headers["content-encoding"],
      userAgent: c.headers["user-agent"],
      note: `${note}${native ? "" : "; native histograms were not enabled"}`,
    });
  }
}

if (import.meta.main) {
  const want = Deno.args.length ? Deno.args : ["otel", "prometheus"];
  const bins = { ...(await goBinEnv()), ...Deno.env.toObject() };
  await Deno.mkdir(`${OUT}otelcol`, { recursive: true });
  await Deno.mkdir(`${OUT}prometheus`, { recursive: true });
  const manifestPath = `${OUT}manifest.json`;
  const old: FixtureEntry[] = await Deno.readTextFile(manifestPath).then(
    (t) => JSON.parse(t).fixtures,
    () => [],
  );
  const entries: FixtureEntry[] = [];
  try {
    if (want.includes("otel")) await captureOtel(bins, entries);
    else entries.push(...old.filter((e) => e.kind === "otlp"));
    if (want.includes("prometheus")) await capturePrometheus(bins, entries);
    else entries.push(...old.filter((e) => e.kind !== "otlp"));
  } catch (e) {
    log(`failed; logs kept in ${WORK}`);
    throw e;
  }
  await Deno.remove(WORK, { recursive: true }).catch(() => {});
  entries.sort((a, b) => a.file.localeCompare(b.file));
  await Deno.writeTextFile(
    manifestPath,
    JSON.stringify({ capturedBy: "tasks/capture_fixtures.ts", fixtures: entries }, null, 2) +
      "\n",
  );
  log(`wrote ${entries.length} fixtures to ${OUT}`);
}
