/**
 * End to end, in a real browser: the OpenTelemetry Collector sends sample logs, metrics and
 * traces for tenants A and B through ingest (with each tenant's token) → Kafka → forwarder →
 * Prometheus, Jaeger, VictoriaLogs and OpenSearch; a headless Debian Chromium driven by
 * playwright-core logs into the console as A and finds A's data in all four views, then logs in
 * as B and finds none of A's. Screenshots of every view go to `tests/e2e/artifacts/`.
 *
 * Stand-ins used on these machines (INFRA.md): Apache Kafka for Redpanda, Jaeger v2 for Tempo,
 * VictoriaLogs for Loki. The stores come from the test bed (`OBSTACK_TEST_*`); ingest, forwarder,
 * console and the Collector are started here and stopped by pid in `finally`.
 */
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { createKafkaAdmin } from "../../lib/kafka/admin.ts";
import { testTenants, writeTestTenantsFile } from "../../console/_test_bed.ts";
import { demoCollectorConfig, demoData, type DemoKnown, sendDemoData } from "../../tasks/demo.ts";
import { freePort } from "../../tasks/infra/ports.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;
const CHROMIUM = "/usr/bin/chromium";
/** Launch flags exactly as INFRA.md's Browser section gives them. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

const env = {
  kafka: Deno.env.get("OBSTACK_TEST_KAFKA"),
  prometheus: Deno.env.get("OBSTACK_TEST_PROMETHEUS"),
  jaegerGrpc: Deno.env.get("OBSTACK_TEST_JAEGER_GRPC"),
  jaegerQuery: Deno.env.get("OBSTACK_TEST_JAEGER_QUERY"),
  vlogs: Deno.env.get("OBSTACK_TEST_VLOGS"),
  opensearch: Deno.env.get("OBSTACK_TEST_OPENSEARCH"),
  otelcol: Deno.env.get("OBSTACK_BIN_OTELCOL"),
};

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const missing = [
  ...Object.entries(env).filter(([, v]) => !v).map(([k]) => k),
  ...(exists(CHROMIUM) ? [] : ["chromium"]),
  ...["ingest/main.ts", "forwarder/main.ts"].filter((f) => !exists(ROOT + f)),
];

function randomHex(n: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(n)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A child process whose output goes to a log file, killed by pid at the end. */
interface Child {
  name: string;
  pid: number;
  log: string;
  stop(): Promise<void>;
}

function spawn(
  name: string,
  cmd: string,
  args: string[],
  childEnv: Record<string, string>,
  logDir: string,
): Child {
  const log = `${logDir}/${name}.log`;
  const child = new Deno.Command(cmd, {
    args,
    env: childEnv,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // One append handle per stream: a WritableStream takes one pipe at a time, and an undrained
  // pipe would block the child once its buffer fills.
  // Written chunk by chunk (not pipeTo), so the log is readable while the child runs.
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const file = await Deno.open(log, { create: true, append: true, write: true });
    try {
      for await (const chunk of stream) {
        for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
      }
    } catch {
      // the child is gone; keep what was written
    } finally {
      file.close();
    }
  };
  const done = Promise.all([drain(child.stdout), drain(child.stderr)]);
  return {
    name,
    pid: child.pid,
    log,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // gone
        }
      }, 15_000);
      await child.status;
      clearTimeout(timer);
      await done;
    },
  };
}

async function httpOk(url: string): Promise<true | undefined> {
  const r = await fetch(url).catch(() => undefined);
  await r?.body?.cancel();
  return r?.ok ? true : undefined;
}

async function tail(path: string, n = 40): Promise<string> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return text.split("\n").slice(-n).join("\n");
}

/** Logs in through the login form with a token. */
async function login(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('#form-token input[name="token"]', token);
  await page.click('#form-token button[type="submit"]');
  await page.waitForURL(/\/metrics$/);
  await page.waitForSelector("#tenant-id");
}

async function nav(page: Page, view: string): Promise<void> {
  await page.click(`.nav a[data-view="${view}"]`);
  await page.waitForURL(new RegExp(`/${view}`));
}

async function shot(page: Page, name: string): Promise<void> {
  // From the top, so the sticky header is where it belongs in a full-page image.
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** How far a view's result panel is: loads started, and the latest one finished. */
async function loadState(page: Page, sel: string): Promise<{ started: number; loaded: number }> {
  const [started, loaded] = await Promise.all([
    page.getAttribute(sel, "data-started"),
    page.getAttribute(sel, "data-loaded"),
  ]);
  return { started: Number(started ?? "0"), loaded: Number(loaded ?? "-1") };
}

/**
 * Runs `action` and waits until the view's result panel `sel` has started a new load and its
 * latest load has finished. The page keeps that count in `data-started`/`data-loaded`, so the
 * test never reads a previous result. (Polled from here: the console's CSP forbids the string
 * evaluation `waitForFunction` would need.)
 */
async function reload(page: Page, sel: string, action: () => Promise<void>): Promise<void> {
  const before = (await loadState(page, sel)).started;
  await action();
  await waitFor(`${sel} to load`, async () => {
    const s = await loadState(page, sel);
    return s.started > before && s.loaded === s.started ? true : undefined;
  }, 30_000);
}

/** Waits until a view's latest load has finished. */
async function loaded(page: Page, sel: string): Promise<void> {
  await page.waitForSelector(sel, { state: "attached" });
  await waitFor(`${sel} to load`, async () => {
    const s = await loadState(page, sel);
    return s.started > 0 && s.loaded === s.started ? true : undefined;
  }, 30_000);
}

/** Runs a PromQL query in the Metrics view over the last 15 minutes. */
async function runMetricsQuery(page: Page, query: string): Promise<void> {
  await page.selectOption('select[name="range"]', "15m");
  await page.fill('textarea[name="query"]', query);
  await reload(page, ".result", () => page.click('button:has-text("Run query")'));
}

Deno.test({
  name: "e2e: the Collector's data for A is in all four console views for A, and none of it for B",
  ignore: missing.length > 0,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const dir = await Deno.makeTempDir({ prefix: "obstack-e2e-" });
    const children: Child[] = [];
    let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
    try {
      const { a, b } = testTenants();
      const tenantsFile = `${dir}/tenants.yaml`;
      await writeTestTenantsFile(tenantsFile, [a, b]);

      // Fresh topics and consumer group: nothing else in the test run shares them.
      const run = randomHex(4);
      const topics = {
        OBSTACK_TOPIC_LOGS: `e2e-${run}.logs`,
        OBSTACK_TOPIC_METRICS: `e2e-${run}.metrics`,
        OBSTACK_TOPIC_TRACES: `e2e-${run}.traces`,
        OBSTACK_TOPIC_DLQ: `e2e-${run}.dlq`,
      };
      const admin = await createKafkaAdmin({ brokers: [env.kafka!] });
      try {
        await admin.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: 2 })));
      } finally {
        await admin.close();
      }

      const base = {
        ...Deno.env.toObject(),
        OBSTACK_KAFKA_BROKERS: env.kafka!,
        OBSTACK_TENANTS_FILE: tenantsFile,
        OBSTACK_LOG_LEVEL: "info",
        ...topics,
      };
      const deno = Deno.execPath();
      const ports = { ingest: freePort(), forwarder: freePort(), console: freePort() };

      const ingest = spawn("ingest", deno, ["run", "-A", "ingest/main.ts"], {
        ...base,
        OBSTACK_INGEST_LISTEN: `127.0.0.1:${ports.ingest}`,
      }, dir);
      children.push(ingest);
      const forwarder = spawn("forwarder", deno, ["run", "-A", "forwarder/main.ts"], {
        ...base,
        OBSTACK_FORWARDER_LISTEN: `127.0.0.1:${ports.forwarder}`,
        OBSTACK_FORWARDER_GROUP: `e2e-${run}`,
        OBSTACK_FORWARDER_BATCH_LINGER: "100ms",
        OBSTACK_FORWARDER_FETCH_MAX_WAIT: "200ms",
        OBSTACK_PROMETHEUS_URL: `${env.prometheus}/api/v1/write`,
        OBSTACK_TRACES_BACKEND: "jaeger",
        OBSTACK_TRACES_ENDPOINT: env.jaegerGrpc!,
        OBSTACK_LOGS_BACKEND: "victorialogs",
        OBSTACK_LOKI_URL: `${env.vlogs}/insert/loki/api/v1/push`,
        OBSTACK_OPENSEARCH_URL: env.opensearch!,
        OBSTACK_OPENSEARCH_REPLICAS: "0",
      }, dir);
      children.push(forwarder);
      const consoleProc = spawn("console", deno, ["run", "-A", "console/main.ts"], {
        ...base,
        OBSTACK_CONSOLE_LISTEN: `127.0.0.1:${ports.console}`,
        OBSTACK_CONSOLE_PROMETHEUS_URL: env.prometheus!,
        OBSTACK_CONSOLE_TRACES_BACKEND: "jaeger",
        OBSTACK_CONSOLE_TRACES_URL: env.jaegerQuery!,
        OBSTACK_CONSOLE_LOGS_BACKEND: "victorialogs",
        OBSTACK_CONSOLE_LOGS_URL: env.vlogs!,
        OBSTACK_CONSOLE_OPENSEARCH_URL: env.opensearch!,
      }, dir);
      children.push(consoleProc);

      for (
        const [c, url] of [
          [ingest, `http://127.0.0.1:${ports.ingest}/readyz`],
          [forwarder, `http://127.0.0.1:${ports.forwarder}/readyz`],
          [consoleProc, `http://127.0.0.1:${ports.console}/healthz`],
        ] as const
      ) {
        await waitFor(`${c.name} ready`, () => httpOk(url), 120_000).catch(async (e) => {
          throw new Error(`${e.message}\n--- ${c.name} log ---\n${await tail(c.log)}`);
        });
      }

      // The real Collector: one receiver and one token-carrying exporter per tenant.
      const recv = { a: freePort(), b: freePort() };
      const collectorConfig = `${dir}/collector.yaml`;
      await Deno.writeTextFile(
        collectorConfig,
        demoCollectorConfig(`http://127.0.0.1:${ports.ingest}`, [
          { id: a.id, port: recv.a, tokenEnv: "E2E_TOKEN_A" },
          { id: b.id, port: recv.b, tokenEnv: "E2E_TOKEN_B" },
        ]),
      );
      const collector = spawn("otelcol", env.otelcol!, ["--config", collectorConfig], {
        ...Deno.env.toObject(),
        E2E_TOKEN_A: a.token,
        E2E_TOKEN_B: b.token,
      }, dir);
      children.push(collector);
      for (const port of [recv.a, recv.b]) {
        await waitFor("collector receivers", async () => {
          const c = await Deno.connect({ hostname: "127.0.0.1", port }).catch(() => undefined);
          c?.close();
          return c ? true : undefined;
        }, 30_000);
      }

      const now = Date.now();
      const dataA = demoData("shop", now);
      const dataB = demoData("bank", now);
      await sendDemoData(`http://127.0.0.1:${recv.a}`, dataA);
      await sendDemoData(`http://127.0.0.1:${recv.b}`, dataB);
      const A: DemoKnown = dataA.known, B: DemoKnown = dataB.known;

      // Wait until the forwarder has delivered to every store (checked through the console API).
      const consoleUrl = `http://127.0.0.1:${ports.console}`;
      const apiCookie = async (token: string) => {
        const r = await fetch(`${consoleUrl}/login`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Origin: consoleUrl },
          body: JSON.stringify({ token }),
        });
        await r.body?.cancel();
        return (r.headers.get("Set-Cookie") ?? "").split(";")[0]!;
      };
      const cookieA = await apiCookie(a.token);
      const api = async (p: string) => {
        const r = await fetch(`${consoleUrl}${p}`, { headers: { Cookie: cookieA } });
        return { status: r.status, body: await r.json() };
      };
      const range = `start=${now - 20 * 60_000}&end=${now + 60_000}`;
      try {
        await waitFor("metrics in Prometheus", async () => {
          const r = await api(`/api/metrics/names?prefix=demo_&${range}`);
          return r.body.names?.includes(A.counter) ? true : undefined;
        }, 90_000);
        await waitFor("A's trace in Jaeger", async () => {
          const r = await api(`/api/traces/${A.traceIds[0]}`);
          return r.status === 200 ? true : undefined;
        }, 90_000);
        await waitFor("A's error line in VictoriaLogs", async () => {
          const r = await api(`/api/logs?level=error&${range}`);
          return r.body.entries?.some((e: { line: string }) => e.line === A.errorLine)
            ? true
            : undefined;
        }, 90_000);
        await waitFor("A's logs in OpenSearch", async () => {
          const r = await api(`/api/search?q=${A.searchWord}&${range}`);
          return r.body.total > 0 ? true : undefined;
        }, 90_000);
      } catch (e) {
        throw new Error(
          `${(e as Error).message}\n--- forwarder log ---\n${await tail(
            forwarder.log,
          )}\n--- ingest log ---\n${await tail(ingest.log)}`,
        );
      }

      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(String(e)));
      try {
        // ---- Tenant A ----
        await page.goto(`${consoleUrl}/metrics`);
        await page.waitForURL(/\/login$/); // no session → login page
        await shot(page, "01-login");
        await login(page, consoleUrl, a.token);
        assert.equal(await page.textContent("#tenant-id"), a.id);

        // Metrics: autocomplete offers A's metric; the chart draws A's series only.
        await page.fill('textarea[name="query"]', "demo_h");
        await page.waitForSelector(`.suggestions button:has-text("${A.counter}")`);
        await runMetricsQuery(page, `sum by (job, http_route) (rate(${A.counter}[2m]))`);
        await page.waitForSelector(".result svg.chart path.series");
        const legendA = await page.textContent(".result .legend") ?? "";
        assert.match(legendA, new RegExp(`job="${A.counterJob}"`));
        assert.doesNotMatch(legendA, new RegExp(B.counterJob));
        await shot(page, "02-metrics-tenant-a");

        // Traces: the list has A's newest known trace; its waterfall shows all spans; the
        // error trace opens by id.
        await nav(page, "traces");
        await loaded(page, ".trace-list");
        const newest = A.traceIds[A.traceIds.length - 1]!;
        await page.waitForSelector(`tr[data-trace-id="${newest}"]`);
        const listText = await page.textContent(".trace-list") ?? "";
        assert.ok(listText.includes(A.rootSpan));
        assert.ok(!B.traceIds.some((id) => listText.includes(id)), "B's trace listed for A");
        await reload(page, ".trace-detail", () => page.click(`tr[data-trace-id="${newest}"]`));
        const rowsOf = () =>
          page.$$eval(
            ".trace-detail .wf-row .wf-label",
            (els) => els.map((e) => e.textContent ?? ""),
          );
        let rows = await rowsOf();
        assert.equal(rows.length, A.spanNames.length);
        for (const name of A.spanNames) {
          assert.ok(rows.some((r) => r.includes(name)), `span ${name} missing`);
        }
        await page.fill('input[name="traceId"]', A.traceIds[0]!);
        await reload(page, ".trace-detail", () => page.click('button:has-text("Open")'));
        rows = await rowsOf();
        assert.equal(rows.length, A.spanNames.length);
        await page.click('.trace-detail .wf-row:has-text("charge card")');
        await page.waitForSelector(".span-detail h3");
        assert.match(await page.textContent(".span-detail") ?? "", /status error/);
        await shot(page, "03-traces-tenant-a");

        // Logs: the known error line with the level filter; newest first without it.
        await nav(page, "logs");
        await loaded(page, ".logs-result");
        // The forwarder maps OTLP severities to lower-case levels (`error`).
        await page.waitForSelector('select[name="level"] option[value="error"]', {
          state: "attached",
        });
        await page.selectOption('select[name="level"]', "error");
        await reload(page, ".logs-result", () => page.click('button:has-text("Refresh")'));
        const errorLines = await page.$$eval(
          "table.logs td.msg",
          (els) => els.map((e) => e.textContent),
        );
        assert.ok(errorLines.includes(A.errorLine), JSON.stringify(errorLines.slice(0, 5)));
        const levels = await page.$$eval(
          "table.logs tr.log-row .badge",
          (els) => els.map((e) => e.textContent),
        );
        assert.ok(levels.length > 0 && levels.every((l) => l === "error"), JSON.stringify(levels));
        await page.selectOption('select[name="level"]', "");
        await reload(page, ".logs-result", () => page.click('button:has-text("Refresh")'));
        const times = await page.$$eval(
          "table.logs tr.log-row td.time",
          (els) => els.map((e) => e.textContent ?? ""),
        );
        assert.ok(times.length > 5, `only ${times.length} log rows`);
        assert.deepEqual([...times].sort().reverse(), times, "logs are not newest first");
        await shot(page, "04-logs-tenant-a");

        // Search: full text with highlights.
        await nav(page, "search");
        await page.fill('input[name="q"]', A.searchWord);
        await reload(page, ".search-result", () => page.click('button:has-text("Search")'));
        const marks = await page.$$eval(
          ".hit mark",
          (els) => els.map((e) => (e.textContent ?? "").toLowerCase()),
        );
        assert.ok(
          marks.length > 0 && marks.every((m) => m === A.searchWord),
          JSON.stringify(marks),
        );
        await shot(page, "05-search-tenant-a");

        // ---- Tenant B: none of A's data ----
        await page.click('button:has-text("Log out")');
        await page.waitForURL(/\/login$/);
        await login(page, consoleUrl, b.token);
        assert.equal(await page.textContent("#tenant-id"), b.id);

        await runMetricsQuery(page, `sum by (job, http_route) (rate(${B.counter}[2m]))`);
        await page.waitForSelector(".result svg.chart path.series");
        const legendB = await page.textContent(".result .legend") ?? "";
        assert.match(legendB, new RegExp(`job="${B.counterJob}"`));
        assert.doesNotMatch(legendB, new RegExp(`job="${A.counterJob}"`));
        await shot(page, "06-metrics-tenant-b");

        await nav(page, "traces");
        await loaded(page, ".trace-list");
        const listB = await page.textContent(".trace-list") ?? "";
        assert.ok(!A.traceIds.some((id) => listB.includes(id)), "A's trace listed for B");
        await page.fill('input[name="traceId"]', A.traceIds[0]!);
        await reload(page, ".trace-detail", () => page.click('button:has-text("Open")'));
        assert.match(await page.textContent(".trace-detail") ?? "", /No trace .* in your tenant/);
        await shot(page, "07-traces-tenant-b");

        await nav(page, "logs");
        await loaded(page, ".logs-result");
        await page.fill('input[name="text"]', A.errorLine);
        await reload(page, ".logs-result", () => page.click('button:has-text("Refresh")'));
        assert.ok(await page.$(".logs-result .state-empty"), "B's log view is not empty");
        await shot(page, "08-logs-tenant-b");

        await nav(page, "search");
        await page.fill('input[name="q"]', A.searchWord);
        await reload(page, ".search-result", () => page.click('button:has-text("Search")'));
        assert.ok(await page.$(".search-result .state-empty"), "B's search is not empty");
        assert.equal(await page.$(".hit"), null);
        await shot(page, "09-search-tenant-b");

        assert.deepEqual(pageErrors, []);
      } catch (e) {
        // Keep what the browser showed when it failed, and say where it was.
        await page.screenshot({ path: `${ARTIFACTS}failure.png`, fullPage: true }).catch(() => {});
        const body = (await page.textContent("body").catch(() => "") ?? "").replace(/\s+/g, " ");
        throw new Error(
          `${(e as Error).message}\nat ${page.url()}: ${body.slice(0, 600)}\npage errors: ${
            pageErrors.join("; ")
          }` +
            `\n--- console log ---\n${await tail(consoleProc.log, 20)}`,
        );
      }
      await context.close();
    } finally {
      await browser?.close().catch(() => {});
      for (const c of children.reverse()) await c.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
