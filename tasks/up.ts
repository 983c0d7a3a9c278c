/**
 * `deno task up [--mode=native|compose|auto] [--no-demo]`: starts the whole pipeline and prints how to
 * send data to it with a ready demo token; natively it then sends sample data (`tasks/demo.ts`).
 *
 * - `native` (what this machine runs): Kafka, OpenSearch, VictoriaLogs, Prometheus and Jaeger
 *   from caches outside the clone (INFRA.md), then the topics, the demo tenant, and ingest,
 *   forwarder and console with `deno run`. State in `.obstack/` (`$OBSTACK_STATE_DIR`); every
 *   port shifted by `$OBSTACK_PORT_OFFSET`.
 * - `compose`: `docker compose up` of compose.yaml.
 * - `auto` (default): compose when a Docker engine answers `docker info`, native otherwise.
 *
 * Idempotent: a second `up` finds the running components by pid and reuses them.
 *
 * @module
 */
import { createKafkaAdmin, TOPIC_DEFAULTS } from "../lib/kafka/mod.ts";
import { readTenantsFile } from "../lib/tenant/mod.ts";
import { ensureGoBinaries } from "./infra/gobuild.ts";
import { ensureKafka } from "./infra/kafka.ts";
import { ensureOpenSearch, ensureOpenSearchUser } from "./infra/opensearch.ts";
import { formatDuration, say } from "./infra/progress.ts";
import { tcpOpen } from "./infra/process.ts";
import {
  componentPorts,
  jaegerConfiguredTenants,
  runningPid,
  serviceEntry,
  SERVICES,
  STACK_COMPONENTS,
  type StackComponent,
  type StackLayout,
  stackLayout,
  startStackComponent,
  stopStackComponent,
} from "./infra/stack.ts";

/** How `up` runs the stack. */
export type UpMode = "native" | "compose" | "auto";

/** Whether a Docker engine answers (`docker info`); false when docker is not installed. */
export async function dockerEngineAnswers(): Promise<boolean> {
  try {
    const out = await new Deno.Command("docker", {
      args: ["info", "--format", "{{.ServerVersion}}"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
      signal: AbortSignal.timeout(10_000),
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** Parses `--mode=…` (also `--mode …`); default auto. */
export function parseMode(args: string[]): UpMode {
  let mode = "auto";
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("--mode=")) mode = a.slice(7);
    else if (a === "--mode") mode = args[++i] ?? "";
    else if (a === "--native") mode = "native";
    else if (a === "--compose") mode = "compose";
  }
  if (mode !== "native" && mode !== "compose" && mode !== "auto") {
    throw new Error(`--mode: expected native, compose or auto, got ${JSON.stringify(mode)}`);
  }
  return mode;
}

const DEMO_TENANT = "demo";
const DEMO_NUMERIC_ID = "100";

async function runTenantCli(l: StackLayout, args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${l.root}/tasks/tenant.ts`, ...args, "--file", l.tenantsFile],
    cwd: l.root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `tenant ${args.join(" ")} failed:\n${stdout}${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return stdout;
}

/**
 * Makes sure the demo tenant exists and its token is known (`.obstack/demo-token`, mode
 * 0600): the tenant CLI prints a token once, so `up` keeps it for the next `up` to print.
 */
async function ensureDemoTenant(l: StackLayout): Promise<string> {
  await Deno.mkdir(l.stateDir, { recursive: true });
  const file = await readTenantsFile(l.tenantsFile, { missingOk: true });
  const exists = file.tenants.some((t) => t.id === DEMO_TENANT);
  const saved = await Deno.readTextFile(l.demoTokenFile).then((t) => t.trim(), () => "");
  if (exists && saved) return saved;
  let stdout: string;
  if (!exists) {
    say("up", `creating tenant ${DEMO_TENANT} in ${l.tenantsFile}`);
    stdout = await runTenantCli(l, ["create", DEMO_TENANT, "--numeric-id", DEMO_NUMERIC_ID]);
  } else {
    say("up", `issuing a new token for ${DEMO_TENANT} (its earlier token was not saved)`);
    stdout = await runTenantCli(l, ["token", "issue", DEMO_TENANT]);
  }
  const token = stdout.trim().split("\n").pop()!.trim();
  if (!token.startsWith("obs_")) throw new Error(`tenant CLI printed no token:\n${stdout}`);
  await Deno.writeTextFile(l.demoTokenFile, `${token}\n`, { mode: 0o600 });
  await Deno.chmod(l.demoTokenFile, 0o600);
  return token;
}

async function tenantIds(l: StackLayout): Promise<string[]> {
  const file = await readTenantsFile(l.tenantsFile, { missingOk: true });
  const ids = file.tenants.map((t) => t.id);
  return ids.length > 0 ? ids : [DEMO_TENANT];
}

/** Starts one component unless it already runs. */
async function ensureRunning(
  l: StackLayout,
  name: StackComponent,
  opts: { tenants?: string[] } = {},
): Promise<void> {
  const pid = runningPid(l, name);
  if (pid !== undefined) {
    say(name, `already running (pid ${pid})`);
    return;
  }
  await startStackComponent(l, name, opts);
}

async function ensureJaeger(l: StackLayout): Promise<void> {
  const tenants = await tenantIds(l);
  const pid = runningPid(l, "jaeger");
  if (pid !== undefined) {
    const configured = await jaegerConfiguredTenants(l);
    if (configured && configured.join(",") === tenants.join(",")) {
      say("jaeger", `already running (pid ${pid})`);
      return;
    }
    // Jaeger's tenant list is fixed in its config: a new tenant needs a restart.
    say("jaeger", "tenant list changed; restarting");
    await stopStackComponent(l, "jaeger");
  }
  await startStackComponent(l, "jaeger", { tenants });
}

async function createTopics(l: StackLayout): Promise<void> {
  const env = (name: string, fallback: string) => Deno.env.get(name) || fallback;
  const topics = [
    { name: env("OBSTACK_TOPIC_LOGS", TOPIC_DEFAULTS.logs), partitions: 3 },
    { name: env("OBSTACK_TOPIC_METRICS", TOPIC_DEFAULTS.metrics), partitions: 3 },
    { name: env("OBSTACK_TOPIC_TRACES", TOPIC_DEFAULTS.traces), partitions: 3 },
    { name: env("OBSTACK_TOPIC_DLQ", TOPIC_DEFAULTS.dlq), partitions: 1 },
  ];
  const admin = await createKafkaAdmin({ brokers: [`127.0.0.1:${l.ports.kafka}`] });
  try {
    await admin.ensureTopics(topics);
  } finally {
    await admin.close();
  }
  say("kafka", `topics ready: ${topics.map((t) => t.name).join(", ")}`);
}

/**
 * Fails at once (not after a 15-minute build) when a port of a component that is not running
 * yet is taken by something else.
 */
async function preflightPorts(l: StackLayout): Promise<void> {
  const clashes: string[] = [];
  for (const name of STACK_COMPONENTS) {
    if (runningPid(l, name) !== undefined) continue;
    if (SERVICES.includes(name) && !(await serviceEntry(l, name))) continue;
    for (const port of componentPorts(name, l.ports)) {
      if (await tcpOpen("127.0.0.1", port)) clashes.push(`${name} needs port ${port}`);
    }
  }
  if (clashes.length > 0) {
    throw new Error(
      `ports already in use by another program: ${
        clashes.join("; ")
      }. Stop it, or shift every port with OBSTACK_PORT_OFFSET (and use another OBSTACK_STATE_DIR).`,
    );
  }
}

/** Starts the native stack; returns the demo token. */
export async function upNative(l: StackLayout): Promise<string> {
  const started = Date.now();
  for (const d of [l.runDir, l.logDir, l.dataDir]) await Deno.mkdir(d, { recursive: true });
  await Deno.writeTextFile(l.modeFile, "native\n");
  await preflightPorts(l);
  const token = await ensureDemoTenant(l);

  // Downloads first (Kafka jars, OpenSearch) while the Go builds run one at a time; each
  // component starts as soon as what it needs is there.
  const jvm = (async () => {
    await ensureKafka();
    await ensureRunning(l, "kafka");
    await createTopics(l);
  })();
  const search = (async () => {
    await ensureOpenSearch();
    await ensureOpenSearchUser();
    await ensureRunning(l, "opensearch");
  })();
  const go = (async () => {
    await ensureGoBinaries("otel");
    await ensureRunning(l, "victorialogs");
    await ensureGoBinaries("prometheus");
    await ensureRunning(l, "prometheus");
    await ensureGoBinaries("jaeger");
    await ensureJaeger(l);
  })();
  const results = await Promise.allSettled([jvm, search, go]);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed.length > 0) {
    throw new Error(failed.map((f) => String(f.reason?.message ?? f.reason)).join("\n\n"));
  }

  for (const name of SERVICES) {
    if (!(await serviceEntry(l, name))) {
      say(name, `skipped: ${name}/main.ts does not exist in this checkout`);
      continue;
    }
    await ensureRunning(l, name);
  }
  say("up", `stack ready (${formatDuration(Date.now() - started)})`);
  return token;
}

async function upCompose(l: StackLayout): Promise<string> {
  await Deno.mkdir(l.stateDir, { recursive: true });
  await Deno.writeTextFile(l.modeFile, "compose\n");
  const token = await ensureDemoTenant(l);
  const args = ["compose", "-f", `${l.root}/compose.yaml`];
  if (await Deno.stat(`${l.root}/.env`).then(() => true, () => false)) {
    args.push("--env-file", `${l.root}/.env`);
  }
  await ensureKongCertificate(l);
  args.push("up", "-d", "--build", "--wait");
  say("up", `docker ${args.join(" ")}`);
  const out = await new Deno.Command("docker", { args, cwd: l.root, stdin: "null" }).spawn().status;
  if (!out.success) throw new Error(`docker compose up failed (exit ${out.code})`);
  return token;
}

/**
 * Kong serves TLS only and will not start without a certificate: when `kong/certs/` (the default
 * `STACK_TLS_DIR`) has none, a self-signed one for localhost and `kong` is made, as
 * kong/certs/README.md describes; production puts its own there.
 */
async function ensureKongCertificate(l: StackLayout): Promise<void> {
  const dir = Deno.env.get("STACK_TLS_DIR") || `${l.root}/kong/certs`;
  const have = await Deno.stat(`${dir}/tls.crt`).then(() => true, () => false);
  if (have) return;
  say(
    "up",
    `no TLS certificate in ${dir}: creating a self-signed one for localhost (testing only)`,
  );
  const out = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-sha256",
      "-days",
      "365",
      "-nodes",
      "-keyout",
      `${dir}/tls.key`,
      "-out",
      `${dir}/tls.crt`,
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,DNS:kong,IP:127.0.0.1",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `could not create a certificate with openssl (see kong/certs/README.md): ${
        new TextDecoder().decode(out.stderr).slice(0, 500)
      }`,
    );
  }
}

/** The closing instructions: endpoint, token, curl, Collector snippet, where to look. */
export function instructions(l: StackLayout, token: string, mode: "native" | "compose"): string {
  const p = l.ports;
  const endpoint = mode === "native"
    ? `http://127.0.0.1:${p.ingest}`
    : `https://localhost (Kong; see .env STACK_PUBLIC_PORT)`;
  const base = mode === "native" ? `http://127.0.0.1:${p.ingest}` : "https://localhost";
  const now = `${Date.now()}000000`;
  const body = JSON.stringify({
    resourceLogs: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: "curl-demo" } }] },
      scopeLogs: [{
        logRecords: [{
          timeUnixNano: now,
          severityNumber: 9,
          severityText: "INFO",
          body: { stringValue: "hello from curl" },
        }],
      }],
    }],
  });
  const lines = [
    "",
    "Obstack is up.",
    "",
    `  Endpoint (OTLP/HTTP + Prometheus remote write): ${endpoint}`,
    `  Demo tenant: demo   token: ${token}`,
    `  (token saved in ${l.demoTokenFile})`,
    "",
    "Send a log line:",
    "",
    `  curl -sS -i -X POST ${base}/v1/logs \\`,
    `    -H 'Authorization: Bearer ${token}' \\`,
    `    -H 'Content-Type: application/json' \\`,
    `    -d '${body}'`,
    "",
    "OpenTelemetry Collector exporter (otlphttp; Collector v0.165+ also names it otlp_http):",
    "",
    "  exporters:",
    "    otlphttp:",
    `      endpoint: ${base}`,
    "      headers:",
    `        Authorization: "Bearer ${token}"`,
    "",
    "Prometheus remote_write:",
    "",
    "  remote_write:",
    `    - url: ${base}/api/v1/write`,
    "      authorization:",
    `        credentials: ${token}`,
    "",
  ];
  if (mode === "native") {
    lines.push(
      "Where the data lands (native stand-ins, see README):",
      `  Kafka            127.0.0.1:${p.kafka}  topics obstack.logs|metrics|traces|dlq`,
      `  Prometheus       http://127.0.0.1:${p.prometheus}/api/v1/query?query=up`,
      `  Jaeger (traces)  curl -H 'X-Scope-OrgID: demo' http://127.0.0.1:${p.jaegerQuery}/api/v3/services`,
      `  VictoriaLogs     curl -H 'AccountID: ${DEMO_NUMERIC_ID}' 'http://127.0.0.1:${p.victoriaLogs}/select/logsql/query?query=*'`,
      `  OpenSearch       curl 'http://127.0.0.1:${p.opensearch}/logs-demo-*/_search?q=*'`,
      `  Console          http://127.0.0.1:${p.console}  (log in with the token above, or add a user: deno task tenant user add demo <name> --file ${l.tenantsFile})`,
      "",
      "deno task status | deno task logs <component> [-f] | deno task down [--purge]",
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  try {
    const l = stackLayout();
    const wanted = parseMode(Deno.args);
    const mode = wanted === "auto"
      ? ((await dockerEngineAnswers()) ? "compose" : "native")
      : wanted;
    if (wanted === "auto") {
      say(
        "up",
        mode === "compose"
          ? "Docker engine found: using docker compose"
          : "no Docker engine: running natively",
      );
    }
    const token = mode === "compose" ? await upCompose(l) : await upNative(l);
    console.log(instructions(l, token, mode));
    if (mode === "native" && !Deno.args.includes("--no-demo")) {
      // Sample data for two tenants, sent by the real Collector through ingest, so the console
      // has something in every view right away (`--no-demo` skips it; `deno task demo` repeats it).
      say("up", "sending sample data for tenants demo and demo-b (deno task demo) …");
      const demo = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `${l.root}/tasks/demo.ts`],
        env: Deno.env.toObject(),
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
      }).output();
      if (!demo.success) say("up", "sample data could not be sent (see above); the stack is up");
    }
  } catch (err) {
    console.error(`up: ${err instanceof Error ? err.message : err}`);
    console.error(
      "up: components that did start keep running; `deno task status` shows them, `deno task down` stops them.",
    );
    Deno.exit(1);
  }
}
