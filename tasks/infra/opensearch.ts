/**
 * OpenSearch 3.8.0 (single node, plain HTTP, no security plugin) from the integ-test zip on
 * Maven Central, run by a system user because OpenSearch refuses to run as root.
 *
 * @module
 */
import { obstackCache } from "./cache.ts";
import { run } from "./kafka.ts";
import { withFileLock } from "./lock.ts";
import { type Component, spawnComponent } from "./process.ts";
import { formatDuration, say, withTicker } from "./progress.ts";

/** OpenSearch version fetched from Maven Central (3.9.0 is not published there). */
export const OPENSEARCH_VERSION = "3.8.0";

/** 3.8 needs Java 21+: the Temurin 25 JDK installed beside Debian's OpenJDK 17. */
export const OPENSEARCH_JAVA_HOME = Deno.env.get("OBSTACK_OPENSEARCH_JAVA_HOME") ??
  "/usr/lib/jvm/temurin-25-jdk-amd64";

/** System user that runs OpenSearch when we are root. */
export const OPENSEARCH_USER = "opensearch";

/** Unpacked distribution in the cache (read-only; instances hard-link it). */
export function openSearchDist(): string {
  return `${obstackCache()}/opensearch-${OPENSEARCH_VERSION}/dist`;
}

function m2Zip(): string {
  const m2 = Deno.env.get("HOME") + "/.m2/repository";
  return `${m2}/org/opensearch/distribution/integ-test-zip/opensearch/${OPENSEARCH_VERSION}/opensearch-${OPENSEARCH_VERSION}.zip`;
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

/**
 * Downloads the distribution zip into the Maven repository (~30 s, 161 MB) and unpacks it
 * into the cache once per version. Idempotent; safe from two processes at once.
 */
export async function ensureOpenSearch(): Promise<string> {
  const root = `${obstackCache()}/opensearch-${OPENSEARCH_VERSION}`;
  const dist = openSearchDist();
  const done = `${root}/.complete`;
  if (await exists(done)) return dist;
  await withFileLock(`${root}.lock`, "opensearch", async () => {
    if (await exists(done)) return;
    const started = Date.now();
    if (!(await exists(m2Zip()))) {
      say("opensearch", `fetching OpenSearch ${OPENSEARCH_VERSION} (first run, 161 MB, ~30–60 s)…`);
      await withTicker("opensearch", "fetching distribution", () =>
        run("opensearch", "mvn", [
          "-B",
          "-q",
          "dependency:get",
          `-Dartifact=org.opensearch.distribution.integ-test-zip:opensearch:${OPENSEARCH_VERSION}:zip`,
          "-Dtransitive=false",
        ]));
    }
    say("opensearch", "unpacking distribution …");
    await Deno.remove(root, { recursive: true }).catch(() => {});
    await Deno.mkdir(root, { recursive: true });
    // unzip where present; Python's zipfile (always on these machines) otherwise.
    await run("opensearch", "unzip", ["-q", m2Zip(), "-d", root]).catch(() =>
      run("opensearch", "python3", ["-m", "zipfile", "-e", m2Zip(), root]).then(() =>
        // zipfile drops the executable bits
        run("opensearch", "chmod", ["-R", "a+rx", `${root}/opensearch-${OPENSEARCH_VERSION}/bin`])
      )
    );
    await Deno.rename(`${root}/opensearch-${OPENSEARCH_VERSION}`, dist);
    // Readable by the opensearch user (instances hard-link these files).
    await run("opensearch", "chmod", ["-R", "a+rX", dist]);
    await Deno.writeTextFile(done, `${new Date().toISOString()}\n`);
    say("opensearch", `distribution ready in ${dist} (${formatDuration(Date.now() - started)})`);
  });
  return dist;
}

/** Creates the `opensearch` system user when running as root and it is missing. */
export async function ensureOpenSearchUser(): Promise<void> {
  if (Deno.uid() !== 0) return;
  const passwd = await Deno.readTextFile("/etc/passwd");
  if (passwd.split("\n").some((l) => l.startsWith(`${OPENSEARCH_USER}:`))) return;
  say("opensearch", `creating system user ${OPENSEARCH_USER} (OpenSearch refuses to run as root)`);
  await run("opensearch", "useradd", [
    "--system",
    "--no-create-home",
    "--shell",
    "/usr/sbin/nologin",
    OPENSEARCH_USER,
  ]);
}

/**
 * The `opensearch` user must be able to traverse every folder above the instance. A 0700
 * folder on the way (a home directory, a `mktemp -d`) is reported instead of silently
 * loosened.
 */
async function assertReachable(dir: string): Promise<void> {
  const parts = dir.split("/").filter(Boolean);
  for (let i = parts.length - 1; i >= 1; i--) {
    const ancestor = "/" + parts.slice(0, i).join("/");
    const st = await Deno.stat(ancestor);
    if (((st.mode ?? 0o755) & 0o001) === 0) {
      throw new Error(
        `opensearch: it runs as user ${OPENSEARCH_USER}, which cannot enter ${ancestor} (mode ${
          ((st.mode ?? 0) & 0o777).toString(8)
        }). Run \`chmod o+x ${ancestor}\` or keep the data elsewhere (OBSTACK_STATE_DIR).`,
      );
    }
  }
}

/** Options of {@link startOpenSearch}. */
export interface OpenSearchOptions {
  /** HTTP port. */
  port: number;
  /** Transport port. */
  transportPort: number;
  /** Instance folder: home (hard-linked distribution), config, data, logs, tmp. Kept across restarts. */
  dataDir: string;
  logFile: string;
  pidFile?: string;
  /** Readiness timeout (default 180 s; 75 s is typical from an empty cache). */
  timeoutMs?: number;
}

/** opensearch.yml for one loopback single-node instance. */
export function openSearchYaml(o: { port: number; transportPort: number; dataDir: string }) {
  return [
    "cluster.name: obstack",
    "node.name: obstack-1",
    "discovery.type: single-node",
    "network.host: 127.0.0.1",
    `http.port: ${o.port}`,
    `transport.port: ${o.transportPort}`,
    `path.data: ${o.dataDir}/data`,
    `path.logs: ${o.dataDir}/logs`,
    // A nearly full disk on a developer machine must not turn indices read-only under tests.
    "cluster.routing.allocation.disk.threshold_enabled: false",
    "",
  ].join("\n");
}

/**
 * Starts OpenSearch (as the `opensearch` user via runuser when root) and waits for cluster
 * health green or yellow.
 */
export async function startOpenSearch(opts: OpenSearchOptions): Promise<Component> {
  const dist = await ensureOpenSearch();
  await ensureOpenSearchUser();
  const dir = opts.dataDir;
  const home = `${dir}/home`;
  await Deno.mkdir(dir, { recursive: true });
  if (!(await exists(`${home}/bin/opensearch`))) {
    await Deno.remove(home, { recursive: true }).catch(() => {});
    // Hard links: an instance costs no copy of the 160 MB distribution (same filesystem);
    // `cp -a` is the fallback.
    await run("opensearch", "cp", ["-al", dist, home]).catch(() =>
      run("opensearch", "cp", ["-a", dist, home])
    );
  }
  const conf = `${dir}/config`;
  if (!(await exists(`${conf}/jvm.options`))) {
    await run("opensearch", "cp", ["-r", `${dist}/config`, conf]);
    // jvm.options names logs/ and data/ relative to the (read-only, shared) home: point them
    // into this instance instead.
    const jvm = await Deno.readTextFile(`${conf}/jvm.options`);
    await Deno.writeTextFile(
      `${conf}/jvm.options`,
      jvm.replace(/(file=|ErrorFile=|Xloggc:)logs\//g, `$1${dir}/logs/`)
        .replace(/HeapDumpPath=data/g, `HeapDumpPath=${dir}/data`),
    );
  }
  await Deno.writeTextFile(`${conf}/opensearch.yml`, openSearchYaml({ ...opts, dataDir: dir }));
  for (const sub of ["data", "logs", "tmp", "run"]) {
    await Deno.mkdir(`${dir}/${sub}`, { recursive: true });
  }
  const asRoot = Deno.uid() === 0;
  if (asRoot) {
    for (const sub of ["config", "data", "logs", "tmp", "run"]) {
      await run("opensearch", "chown", [
        "-R",
        `${OPENSEARCH_USER}:${OPENSEARCH_USER}`,
        `${dir}/${sub}`,
      ]);
    }
    await Deno.chmod(dir, 0o755);
    await assertReachable(dir);
  }
  const env = {
    OPENSEARCH_JAVA_HOME,
    JAVA_HOME: OPENSEARCH_JAVA_HOME,
    OPENSEARCH_PATH_CONF: conf,
    OPENSEARCH_TMPDIR: `${dir}/tmp`,
    // Halves start-up on 2 cores (INFRA.md).
    OPENSEARCH_JAVA_OPTS: "-Xms512m -Xmx512m -XX:TieredStopAtLevel=1 -XX:-AlwaysPreTouch",
  };
  const serverPidFile = `${dir}/run/opensearch.pid`;
  const launch = [`${home}/bin/opensearch`, "-p", serverPidFile];
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  say("opensearch", `starting on 127.0.0.1:${opts.port} …`);
  return await spawnComponent({
    name: "opensearch",
    cmd: asRoot ? "runuser" : "env",
    args: asRoot
      ? ["-u", OPENSEARCH_USER, "--", "env", ...envArgs, ...launch]
      : [...envArgs, ...launch],
    cwd: dir,
    logFile: opts.logFile,
    pidFile: opts.pidFile,
    serverPidFile,
    ready: [{
      http: `http://127.0.0.1:${opts.port}/_cluster/health`,
      ok: async (res) => {
        if (!res.ok) {
          await res.body?.cancel();
          return false;
        }
        const body = await res.json() as { status?: string };
        return body.status === "green" || body.status === "yellow";
      },
    }],
    timeoutMs: opts.timeoutMs ?? 180_000,
    ports: [opts.port, opts.transportPort],
    stopGraceMs: 30_000,
    endpoints: { http: `http://127.0.0.1:${opts.port}` },
  });
}
