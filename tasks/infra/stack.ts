/**
 * The native stack of `deno task up` / `down` / `status` / `logs`: where its state lives,
 * its ports, and how each component is started, found again and checked.
 *
 * State folder: `$OBSTACK_STATE_DIR` (default `<repo>/.obstack`) with `run/<name>.pid`,
 * `logs/<name>.log`, `data/<name>/`, `tenants.yaml`, `demo-token`. `$OBSTACK_PORT_OFFSET`
 * (default 0) shifts every port, so a second stack (e.g. the up/down test) does not clash.
 *
 * @module
 */
import { parse } from "yaml";
import { repoRoot } from "./cache.ts";
import { startJaeger } from "./jaeger.ts";
import { startKafka } from "./kafka.ts";
import { startOpenSearch } from "./opensearch.ts";
import { pidMatches, readPidFile } from "./pid.ts";
import { type Component, spawnComponent, stopPid, tcpOpen } from "./process.ts";
import { startPrometheus } from "./prometheus.ts";
import { startVictoriaLogs } from "./victorialogs.ts";

/** Ports of the native stack (before the offset). */
export const NATIVE_PORTS = {
  ingest: 4318,
  forwarder: 9465,
  console: 8080,
  kafka: 19092,
  kafkaController: 19093,
  opensearch: 19200,
  opensearchTransport: 19300,
  prometheus: 19090,
  jaegerOtlpGrpc: 14317,
  jaegerOtlpHttp: 14318,
  jaegerRemoteStorage: 17271,
  jaegerQuery: 16686,
  victoriaLogs: 19428,
} as const;

/** Port map of a stack. */
export type StackPorts = { [K in keyof typeof NATIVE_PORTS]: number };

/** Where a stack keeps its state and which ports it uses. */
export interface StackLayout {
  root: string;
  stateDir: string;
  runDir: string;
  logDir: string;
  dataDir: string;
  tenantsFile: string;
  demoTokenFile: string;
  modeFile: string;
  ports: StackPorts;
}

/** Reads `OBSTACK_STATE_DIR` and `OBSTACK_PORT_OFFSET`; an invalid offset is an error naming it. */
export function stackLayout(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): StackLayout {
  const root = repoRoot();
  const stateDir = env.OBSTACK_STATE_DIR || `${root}/.obstack`;
  const rawOffset = env.OBSTACK_PORT_OFFSET ?? "0";
  const offset = Number(rawOffset);
  if (!/^\d+$/.test(rawOffset.trim() || "0") || !Number.isInteger(offset) || offset > 45_000) {
    throw new Error(
      `OBSTACK_PORT_OFFSET: expected an integer from 0 to 45000, got ${JSON.stringify(rawOffset)}`,
    );
  }
  const ports = Object.fromEntries(
    Object.entries(NATIVE_PORTS).map(([k, v]) => [k, v + offset]),
  ) as StackPorts;
  return {
    root,
    stateDir,
    runDir: `${stateDir}/run`,
    logDir: `${stateDir}/logs`,
    dataDir: `${stateDir}/data`,
    tenantsFile: `${stateDir}/tenants.yaml`,
    demoTokenFile: `${stateDir}/demo-token`,
    modeFile: `${stateDir}/mode`,
    ports,
  };
}

/** Names of the native components, in start order (`down` stops in reverse). */
export const STACK_COMPONENTS = [
  "kafka",
  "opensearch",
  "victorialogs",
  "prometheus",
  "jaeger",
  "ingest",
  "forwarder",
  "console",
] as const;

/** One native component. */
export type StackComponent = typeof STACK_COMPONENTS[number];

/** The Deno services `up` starts when their entry point exists. */
export const SERVICES: readonly StackComponent[] = ["ingest", "forwarder", "console"];

/** Ports a component listens on (first = the one shown by `status`). */
export function componentPorts(name: StackComponent, p: StackPorts): number[] {
  switch (name) {
    case "kafka":
      return [p.kafka, p.kafkaController];
    case "opensearch":
      return [p.opensearch, p.opensearchTransport];
    case "victorialogs":
      return [p.victoriaLogs];
    case "prometheus":
      return [p.prometheus];
    case "jaeger":
      return [
        p.jaegerQuery,
        p.jaegerQuery - 1,
        p.jaegerRemoteStorage,
        p.jaegerOtlpGrpc,
        p.jaegerOtlpHttp,
      ];
    case "ingest":
      return [p.ingest];
    case "forwarder":
      return [p.forwarder];
    case "console":
      return [p.console];
  }
}

/** URL (or `tcp://host:port`) that tells whether a component is healthy. */
export function healthUrl(name: StackComponent, p: StackPorts): string {
  switch (name) {
    case "kafka":
      return `tcp://127.0.0.1:${p.kafka}`;
    case "opensearch":
      return `http://127.0.0.1:${p.opensearch}/_cluster/health`;
    case "victorialogs":
      return `http://127.0.0.1:${p.victoriaLogs}/health`;
    case "prometheus":
      return `http://127.0.0.1:${p.prometheus}/-/ready`;
    case "jaeger":
      return `tcp://127.0.0.1:${p.jaegerRemoteStorage}`;
    case "ingest":
      return `http://127.0.0.1:${p.ingest}/healthz`;
    case "forwarder":
      return `http://127.0.0.1:${p.forwarder}/healthz`;
    case "console":
      return `http://127.0.0.1:${p.console}/healthz`;
  }
}

/** Checks a component's health endpoint: `ok`, or a short reason. */
export async function checkHealth(name: StackComponent, p: StackPorts): Promise<string> {
  const url = healthUrl(name, p);
  if (url.startsWith("tcp://")) {
    const [host, port] = url.slice(6).split(":");
    return (await tcpOpen(host!, Number(port))) ? "ok" : "port closed";
  }
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    if (name === "opensearch" && res.ok) {
      const body = await res.json() as { status?: string };
      return body.status === "red" ? "red" : "ok";
    }
    await res.body?.cancel();
    return res.ok ? "ok" : `HTTP ${res.status}`;
  } catch (err) {
    return err instanceof Error && err.name === "TimeoutError" ? "timeout" : "unreachable";
  }
}

/** Paths of one component's pid file, log file and data folder. */
export function componentPaths(l: StackLayout, name: StackComponent) {
  return {
    pidFile: `${l.runDir}/${name}.pid`,
    logFile: `${l.logDir}/${name}.log`,
    dataDir: name === "opensearch" ? openSearchDataDir(l) : `${l.dataDir}/${name}`,
  };
}

/**
 * OpenSearch runs as its own user, which must be able to enter every folder above its data. A
 * clone under a 0700 home (root's, typically) cannot be entered, so its data then lives under
 * `/var/lib/obstack/opensearch<state data dir>` instead: the path still names the state folder,
 * so pid checks and `down --purge` find it.
 */
export function openSearchDataDir(l: StackLayout): string {
  const inside = `${l.dataDir}/opensearch`;
  if (Deno.uid() !== 0) return inside;
  const parts = l.dataDir.split("/").filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    try {
      const st = Deno.statSync("/" + parts.slice(0, i).join("/"));
      if (((st.mode ?? 0o755) & 0o001) === 0) return `${OPENSEARCH_FALLBACK_ROOT}${inside}`;
    } catch {
      break; // not created yet: created below with default permissions
    }
  }
  return inside;
}

/** Where OpenSearch data goes when the state folder is not reachable by its user. */
export const OPENSEARCH_FALLBACK_ROOT = "/var/lib/obstack/opensearch";

/**
 * Pid of a running component of this stack, or undefined. The pid must still be alive and its
 * command line must name this stack's state folder or the repository, so a recycled pid
 * from a stale pid file is never mistaken for ours.
 */
export function runningPid(l: StackLayout, name: StackComponent): number | undefined {
  const pid = readPidFile(componentPaths(l, name).pidFile);
  if (pid === undefined) return undefined;
  return pidMatches(pid, [l.stateDir, l.root]) ? pid : undefined;
}

/** Stops one component by its pid file (no-op when it is not running) and removes the file. */
export async function stopStackComponent(l: StackLayout, name: StackComponent): Promise<boolean> {
  const { pidFile } = componentPaths(l, name);
  const pid = runningPid(l, name);
  if (pid !== undefined) {
    await stopPid(name, pid, {
      graceMs: name === "kafka" || name === "opensearch" ? 30_000 : 15_000,
      ports: componentPorts(name, l.ports),
    });
  }
  await Deno.remove(pidFile).catch(() => {});
  return pid !== undefined;
}

/** Environment of the Deno services: every endpoint of this stack. */
export function serviceEnv(l: StackLayout): Record<string, string> {
  const p = l.ports;
  return {
    OBSTACK_TENANTS_FILE: l.tenantsFile,
    OBSTACK_KAFKA_BROKERS: `127.0.0.1:${p.kafka}`,
    OBSTACK_INGEST_LISTEN: `0.0.0.0:${p.ingest}`,
    OBSTACK_FORWARDER_LISTEN: `127.0.0.1:${p.forwarder}`,
    OBSTACK_PROMETHEUS_URL: `http://127.0.0.1:${p.prometheus}/api/v1/write`,
    OBSTACK_TRACES_BACKEND: "jaeger",
    OBSTACK_TRACES_ENDPOINT: `127.0.0.1:${p.jaegerRemoteStorage}`,
    OBSTACK_LOGS_BACKEND: "victorialogs",
    OBSTACK_LOKI_URL: `http://127.0.0.1:${p.victoriaLogs}/insert/loki/api/v1/push`,
    OBSTACK_OPENSEARCH_URL: `http://127.0.0.1:${p.opensearch}`,
    OBSTACK_CONSOLE_LISTEN: `0.0.0.0:${p.console}`,
    OBSTACK_CONSOLE_PROMETHEUS_URL: `http://127.0.0.1:${p.prometheus}`,
    OBSTACK_CONSOLE_TRACES_BACKEND: "jaeger",
    OBSTACK_CONSOLE_TRACES_URL: `http://127.0.0.1:${p.jaegerQuery}`,
    OBSTACK_CONSOLE_LOGS_BACKEND: "victorialogs",
    OBSTACK_CONSOLE_LOGS_URL: `http://127.0.0.1:${p.victoriaLogs}`,
    OBSTACK_CONSOLE_OPENSEARCH_URL: `http://127.0.0.1:${p.opensearch}`,
  };
}

/** Entry point of a Deno service, when that service exists in this checkout. */
export async function serviceEntry(
  l: StackLayout,
  name: StackComponent,
): Promise<string | undefined> {
  const path = `${l.root}/${name}/main.ts`;
  return await Deno.stat(path).then(() => path, () => undefined);
}

/**
 * Starts one component of the native stack (the caller checks it is not running already).
 * `tenants` is Jaeger's fixed tenant list.
 */
export async function startStackComponent(
  l: StackLayout,
  name: StackComponent,
  opts: { tenants?: string[] } = {},
): Promise<Component> {
  const { pidFile, logFile, dataDir } = componentPaths(l, name);
  const p = l.ports;
  switch (name) {
    case "kafka":
      return await startKafka({
        port: p.kafka,
        controllerPort: p.kafkaController,
        dataDir,
        logFile,
        pidFile,
      });
    case "opensearch":
      return await startOpenSearch({
        port: p.opensearch,
        transportPort: p.opensearchTransport,
        dataDir,
        logFile,
        pidFile,
      });
    case "victorialogs":
      return await startVictoriaLogs({ port: p.victoriaLogs, dataDir, logFile, pidFile });
    case "prometheus":
      return await startPrometheus({ port: p.prometheus, dataDir, logFile, pidFile });
    case "jaeger":
      return await startJaeger({
        tenants: opts.tenants ?? ["demo"],
        ports: {
          otlpGrpc: p.jaegerOtlpGrpc,
          otlpHttp: p.jaegerOtlpHttp,
          remoteStorage: p.jaegerRemoteStorage,
          query: p.jaegerQuery,
        },
        dataDir,
        logFile,
        pidFile,
      });
    case "ingest":
    case "forwarder":
    case "console": {
      const entry = await serviceEntry(l, name);
      if (!entry) throw new Error(`${name}: ${l.root}/${name}/main.ts does not exist`);
      const port = componentPorts(name, p)[0]!;
      return await spawnComponent({
        name,
        cmd: Deno.execPath(),
        args: ["run", "-A", entry],
        cwd: l.root,
        env: serviceEnv(l),
        logFile,
        pidFile,
        ready: [{ http: `http://127.0.0.1:${port}/healthz` }],
        timeoutMs: 90_000,
        ports: [port],
        stopGraceMs: 20_000,
        endpoints: { http: `http://127.0.0.1:${port}` },
      });
    }
  }
}

/** Tenants Jaeger of a running stack was configured with (from its generated config). */
export async function jaegerConfiguredTenants(l: StackLayout): Promise<string[] | undefined> {
  try {
    const text = await Deno.readTextFile(`${componentPaths(l, "jaeger").dataDir}/jaeger.yaml`);
    const config = parse(text) as {
      extensions?: { jaeger_query?: { multi_tenancy?: { Tenants?: string[] } } };
    };
    return config.extensions?.jaeger_query?.multi_tenancy?.Tenants;
  } catch {
    return undefined;
  }
}
