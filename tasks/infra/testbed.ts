/**
 * The integration test bed: Kafka, OpenSearch, Prometheus, Jaeger and VictoriaLogs started
 * once for a whole `deno task test` run, on the test-bed ports (native + 10000), with data in
 * a fresh temporary folder.
 *
 * @module
 */
import { obstackCache } from "./cache.ts";
import { ensureGoBinaries, goBinEnv } from "./gobuild.ts";
import { startJaeger } from "./jaeger.ts";
import { ensureKafka, startKafka } from "./kafka.ts";
import { pidAlive } from "./pid.ts";
import { ensureOpenSearch, ensureOpenSearchUser, startOpenSearch } from "./opensearch.ts";
import { type Component, stopPid } from "./process.ts";
import { formatDuration, say } from "./progress.ts";
import { startPrometheus } from "./prometheus.ts";
import { startVictoriaLogs } from "./victorialogs.ts";

/** Test-bed ports (the native ports + 10000). */
export const TESTBED_PORTS = {
  kafka: 29092,
  kafkaController: 29093,
  opensearch: 29200,
  opensearchTransport: 29300,
  prometheus: 29090,
  jaegerOtlpGrpc: 24317,
  jaegerOtlpHttp: 24318,
  jaegerRemoteStorage: 27271,
  jaegerQuery: 26686,
  victoriaLogs: 29428,
} as const;

/** Tenants Jaeger knows in the test bed (numeric ids 1, 2, 3, 100 for VictoriaLogs). */
export const TESTBED_TENANTS = ["tenant-a", "tenant-b", "tenant-c", "demo"];

/** Components of the bed. */
export type TestBedComponent = "kafka" | "opensearch" | "prometheus" | "jaeger" | "victorialogs";

/** All components, in start order. */
export const TESTBED_COMPONENTS: readonly TestBedComponent[] = [
  "kafka",
  "opensearch",
  "victorialogs",
  "prometheus",
  "jaeger",
];

/** A running test bed. */
export interface TestBed {
  /** `OBSTACK_TEST_*` endpoints and `OBSTACK_BIN_*` binaries, for the test process. */
  env: Record<string, string>;
  /** Components that failed to start when `tolerateFailures` was set, with the reason. */
  failures: Record<string, string>;
  /** Stops every component (reverse start order) and deletes the data folder. */
  stop(): Promise<void>;
}

/** Options of {@link startTestBed}. */
export interface TestBedOptions {
  /** Subset of components to start (default: all). */
  components?: readonly TestBedComponent[];
  /**
   * When true, a component that cannot be built or started is left out (its env variable is
   * missing, so its tests are skipped) instead of failing the whole bed.
   */
  tolerateFailures?: boolean;
}

interface BedState {
  dir: string;
  pids: { name: string; pid: number }[];
}

function stateFile(): string {
  return `${obstackCache()}/testbed-state.json`;
}

async function saveState(state: BedState): Promise<void> {
  await Deno.mkdir(obstackCache(), { recursive: true });
  await Deno.writeTextFile(stateFile(), JSON.stringify(state));
}

/**
 * Stops what an earlier, interrupted test bed left behind (its ports would clash). Only pids
 * whose command line still names that bed's folder are signalled, so a recycled pid is safe.
 */
async function reapStaleBed(): Promise<void> {
  let state: BedState;
  try {
    state = JSON.parse(await Deno.readTextFile(stateFile()));
  } catch {
    return;
  }
  for (const { name, pid } of [...state.pids].reverse()) {
    if (!pidAlive(pid)) continue;
    const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    if (!cmdline.includes(state.dir)) continue;
    say("testbed", `stopping ${name} (pid ${pid}) left by an earlier run`);
    await stopPid(name, pid, { quiet: true });
  }
  await Deno.remove(state.dir, { recursive: true }).catch(() => {});
  await Deno.remove(stateFile()).catch(() => {});
}

/**
 * Fetches and builds everything the bed and the integration tests need, printing progress:
 * Kafka jars and OpenSearch while the Go modules build one after another.
 */
export async function ensureAll(): Promise<void> {
  const started = Date.now();
  await Promise.all([
    ensureKafka(),
    ensureOpenSearch().then(() => ensureOpenSearchUser()),
    (async () => {
      await ensureGoBinaries("otel");
      await ensureGoBinaries("prometheus");
      await ensureGoBinaries("jaeger");
    })(),
  ]);
  say("testbed", `everything fetched and built (${formatDuration(Date.now() - started)})`);
}

/**
 * Starts the test bed. Kafka and OpenSearch start at once (while any Go build still runs);
 * VictoriaLogs, Prometheus and Jaeger follow as their binaries become available. On failure
 * (unless tolerated) everything already started is stopped before the error is rethrown.
 */
export async function startTestBed(opts: TestBedOptions = {}): Promise<TestBed> {
  const wanted = new Set(opts.components ?? TESTBED_COMPONENTS);
  await reapStaleBed();
  const dir = await Deno.makeTempDir({ prefix: "obstack-testbed-" });
  // OpenSearch runs as its own user and must traverse this folder.
  await Deno.chmod(dir, 0o755);
  const started = Date.now();
  const running: Component[] = [];
  const state: BedState = { dir, pids: [] };
  const env: Record<string, string> = {};
  const failures: Record<string, string> = {};
  const P = TESTBED_PORTS;
  const log = (name: string) => `${dir}/logs/${name}.log`;
  await saveState(state);

  const track = async (c: Component, vars: Record<string, string>) => {
    running.push(c);
    state.pids.push({ name: c.name, pid: c.pid });
    await saveState(state);
    Object.assign(env, vars);
  };
  const attempt = async (name: TestBedComponent, start: () => Promise<void>) => {
    if (!wanted.has(name)) return;
    try {
      await start();
    } catch (err) {
      if (!opts.tolerateFailures) throw err;
      failures[name] = err instanceof Error ? err.message : String(err);
      say("testbed", `${name} left out: ${failures[name]}`);
    }
  };

  const stop = async () => {
    for (const c of [...running].reverse()) {
      await c.stop().catch((err) => say("testbed", `stopping ${c.name}: ${err}`));
    }
    running.length = 0;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.remove(stateFile()).catch(() => {});
  };

  say("testbed", `starting ${[...wanted].join(", ")} in ${dir}`);
  try {
    const jvm = Promise.all([
      attempt("kafka", async () => {
        const c = await startKafka({
          port: P.kafka,
          controllerPort: P.kafkaController,
          dataDir: `${dir}/kafka`,
          logFile: log("kafka"),
        });
        await track(c, { OBSTACK_TEST_KAFKA: c.endpoints.bootstrap! });
      }),
      attempt("opensearch", async () => {
        const c = await startOpenSearch({
          port: P.opensearch,
          transportPort: P.opensearchTransport,
          dataDir: `${dir}/opensearch`,
          logFile: log("opensearch"),
        });
        await track(c, { OBSTACK_TEST_OPENSEARCH: c.endpoints.http! });
      }),
    ]);
    // Go components, in build order (the builds themselves run one at a time).
    const go = (async () => {
      await attempt("victorialogs", async () => {
        const c = await startVictoriaLogs({
          port: P.victoriaLogs,
          dataDir: `${dir}/victorialogs`,
          logFile: log("victorialogs"),
        });
        await track(c, { OBSTACK_TEST_VLOGS: c.endpoints.http! });
      });
      await attempt("prometheus", async () => {
        const c = await startPrometheus({
          port: P.prometheus,
          dataDir: `${dir}/prometheus`,
          logFile: log("prometheus"),
        });
        await track(c, { OBSTACK_TEST_PROMETHEUS: c.endpoints.http! });
      });
      await attempt("jaeger", async () => {
        const c = await startJaeger({
          tenants: TESTBED_TENANTS,
          ports: {
            otlpGrpc: P.jaegerOtlpGrpc,
            otlpHttp: P.jaegerOtlpHttp,
            remoteStorage: P.jaegerRemoteStorage,
            query: P.jaegerQuery,
          },
          dataDir: `${dir}/jaeger`,
          logFile: log("jaeger"),
        });
        await track(c, {
          OBSTACK_TEST_JAEGER_GRPC: c.endpoints.remoteStorage!,
          OBSTACK_TEST_JAEGER_QUERY: c.endpoints.query!,
        });
      });
    })();
    const results = await Promise.allSettled([jvm, go]);
    for (const r of results) if (r.status === "rejected") throw r.reason;
    Object.assign(env, await goBinEnv());
  } catch (err) {
    say("testbed", "start failed; stopping what was started");
    await stop();
    throw err;
  }
  say(
    "testbed",
    `ready: ${running.map((c) => c.name).join(", ")} (${formatDuration(Date.now() - started)})`,
  );
  return { env, failures, stop };
}

if (import.meta.main) {
  // `deno run -A tasks/infra/testbed.ts ensure` fetches and builds everything;
  // without arguments it starts the bed, prints its env and stops it on Ctrl-C.
  if (Deno.args[0] === "ensure") {
    await ensureAll();
  } else {
    const bed = await startTestBed({ tolerateFailures: Deno.args.includes("--tolerate") });
    for (const [k, v] of Object.entries(bed.env)) console.log(`${k}=${v}`);
    const done = Promise.withResolvers<void>();
    Deno.addSignalListener("SIGINT", () => done.resolve());
    Deno.addSignalListener("SIGTERM", () => done.resolve());
    await done.promise;
    await bed.stop();
  }
}
