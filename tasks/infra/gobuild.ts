/**
 * Builds the Go components (OpenTelemetry Collector + VictoriaLogs + telemetrygen, Prometheus,
 * Jaeger) from the project's own Go modules under `tools/`, into a cache outside the clone
 * keyed by the module's content, so a second run (or a fresh clone on the same machine) reuses
 * the binaries.
 *
 * Usage: `deno run -A tasks/infra/gobuild.ts [all|otel|prometheus|jaeger …]`
 *
 * @module
 */
import { obstackCache, repoRoot } from "./cache.ts";
import { withFileLock } from "./lock.ts";
import { pidAlive } from "./pid.ts";
import { formatDuration, say } from "./progress.ts";

/** The three Go modules of `tools/`; they cannot share one go.mod (INFRA.md). */
export type GoModule = "otel" | "prometheus" | "jaeger";

/** Build order used by `all`: cheapest and most needed first. */
export const GO_MODULES: readonly GoModule[] = ["otel", "prometheus", "jaeger"];

interface BinarySpec {
  /** File name of the binary in the output folder. */
  name: string;
  /** Go package to build (`.` = the module's own main package). */
  pkg: string;
  /** Build tags, if any. */
  tags?: string;
}

const SPECS: Record<GoModule, BinarySpec[]> = {
  otel: [
    { name: "otelcol", pkg: "." },
    { name: "victoria-logs", pkg: "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs" },
    {
      name: "telemetrygen",
      pkg: "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen",
    },
  ],
  // remove_all_sd drops every service-discovery plugin: half the build, nothing we need.
  prometheus: [{
    name: "prometheus",
    pkg: "github.com/prometheus/prometheus/cmd/prometheus",
    tags: "remove_all_sd",
  }],
  jaeger: [{ name: "jaeger", pkg: "github.com/jaegertracing/jaeger/cmd/jaeger" }],
};

/** Binary paths of one module, by binary name. */
export type GoBinaries = Record<string, string>;

function moduleDir(module: GoModule): string {
  return `${repoRoot()}/tools/${module}`;
}

/**
 * Content key of a module: sha256 over go.mod, go.sum and its own .go files (the generated
 * Collector sources matter as much as the dependency list), first 12 hex digits.
 */
export async function goModuleKey(module: GoModule): Promise<string> {
  const dir = moduleDir(module);
  const names = ["go.mod", "go.sum"];
  const own: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".go")) own.push(entry.name);
  }
  names.push(...own.sort());
  const parts: Uint8Array[] = [];
  for (const name of names) {
    parts.push(new TextEncoder().encode(`${name}\0`));
    parts.push(await Deno.readFile(`${dir}/${name}`));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest.slice(0, 6), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Output folder of a module's binaries (exists only once the build completed). */
export async function goBinDir(module: GoModule): Promise<string> {
  return `${obstackCache()}/bin/${module}-${await goModuleKey(module)}`;
}

async function existing(module: GoModule): Promise<GoBinaries | undefined> {
  const dir = await goBinDir(module);
  const out: GoBinaries = {};
  for (const spec of SPECS[module]) {
    const path = `${dir}/${spec.name}`;
    try {
      const st = await Deno.stat(path);
      if (!st.isFile) return undefined;
    } catch {
      return undefined;
    }
    out[spec.name] = path;
  }
  return out;
}

/** Environment for every go command: caches outside the clone, no VCS stamping, no toolchain download. */
export function goEnv(): Record<string, string> {
  const cache = obstackCache();
  return {
    GOMODCACHE: `${cache}/go/mod`,
    GOCACHE: `${cache}/go/build`,
    GOFLAGS: "-buildvcs=false",
    GOTOOLCHAIN: "local",
  };
}

async function runGo(
  module: GoModule,
  label: string,
  args: string[],
  cwd: string,
  logPath: string,
): Promise<void> {
  const started = Date.now();
  await Deno.writeTextFile(logPath, `\n$ go ${args.join(" ")}\n`, { append: true });
  // The shell appends go's output to the log at the OS level: nothing to pump, no pipe to
  // break if this process is interrupted.
  const child = new Deno.Command("sh", {
    args: ["-c", 'exec go "$@" >>"$GOBUILD_LOG" 2>&1', "sh", ...args],
    cwd,
    env: { ...goEnv(), GOBUILD_LOG: logPath },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const timer = setInterval(() => {
    say("gobuild", `${label} … ${formatDuration(Date.now() - started)}`);
  }, 15_000);
  try {
    const status = await child.status;
    if (!status.success) {
      const text = await Deno.readTextFile(logPath);
      const tail = text.trimEnd().split("\n").slice(-30).join("\n");
      throw new Error(
        `gobuild: ${module}: go ${
          args.join(" ")
        } failed (exit ${status.code}); log ${logPath}:\n${tail}`,
      );
    }
  } finally {
    clearInterval(timer);
  }
}

/** Deletes half-built output folders (`<module>-<key>.tmp-<pid>`) of builds that were killed. */
async function removeAbandonedBuilds(module: GoModule): Promise<void> {
  const binRoot = `${obstackCache()}/bin`;
  for await (const e of Deno.readDir(binRoot)) {
    const m = e.name.match(/^(.+)-[0-9a-f]+\.tmp-(\d+)$/);
    if (!e.isDirectory || !m || m[1] !== module || pidAlive(Number(m[2]))) continue;
    await Deno.remove(`${binRoot}/${e.name}`, { recursive: true }).catch(() => {});
  }
}

/**
 * Builds (if needed) and returns the binaries of one Go module. Idempotent: a module whose
 * content key already has binaries in the cache is not rebuilt. A machine-wide lock makes
 * sure only one Go build runs at a time (2 cores) and two processes never build the same
 * module; a process that waited for the lock re-checks and reuses the other's result.
 */
export async function ensureGoBinaries(module: GoModule): Promise<GoBinaries> {
  const ready = await existing(module);
  if (ready) return ready;
  const cache = obstackCache();
  return await withFileLock(`${cache}/bin/.gobuild.lock`, "gobuild", async () => {
    const again = await existing(module);
    if (again) return again;
    const dir = await goBinDir(module);
    await removeAbandonedBuilds(module);
    const tmp = `${dir}.tmp-${Deno.pid}`;
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    await Deno.mkdir(tmp, { recursive: true });
    const logPath = `${cache}/bin/${module}-build.log`;
    await Deno.writeTextFile(logPath, `build of ${module} started ${new Date().toISOString()}\n`);
    const started = Date.now();
    say(
      "gobuild",
      `building ${module} (first run on this machine can take 5–15 min; log ${logPath})`,
    );
    for (const spec of SPECS[module]) {
      const args = ["build", "-trimpath", "-ldflags=-s -w", "-o", `${tmp}/${spec.name}`];
      if (spec.tags) args.push("-tags", spec.tags);
      args.push(spec.pkg);
      await runGo(module, `building ${spec.name}`, args, moduleDir(module), logPath);
      say("gobuild", `built ${spec.name} (${formatDuration(Date.now() - started)} so far)`);
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.rename(tmp, dir);
    say("gobuild", `${module} ready in ${dir} (${formatDuration(Date.now() - started)})`);
    const done = await existing(module);
    if (!done) throw new Error(`gobuild: ${module}: binaries missing after build in ${dir}`);
    return done;
  }, () => existing(module));
}

/** Env variable names under which the test bed exports each binary. */
const BIN_ENV: Record<string, string> = {
  otelcol: "OBSTACK_BIN_OTELCOL",
  telemetrygen: "OBSTACK_BIN_TELEMETRYGEN",
  "victoria-logs": "OBSTACK_BIN_VLOGS",
  prometheus: "OBSTACK_BIN_PROMETHEUS",
  jaeger: "OBSTACK_BIN_JAEGER",
};

/**
 * `OBSTACK_BIN_*` variables for the Go binaries. With `build: true` every module is built
 * first (sequentially); otherwise only binaries already in the cache are listed, so a caller
 * can skip what is not there yet.
 */
export async function goBinEnv(opts: { build?: boolean } = {}): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const module of GO_MODULES) {
    const bins = opts.build ? await ensureGoBinaries(module) : await existing(module);
    for (const [name, path] of Object.entries(bins ?? {})) {
      const key = BIN_ENV[name];
      if (key) env[key] = path;
    }
  }
  return env;
}

if (import.meta.main) {
  const wanted = Deno.args.length === 0 || Deno.args.includes("all")
    ? GO_MODULES
    : Deno.args.map((a) => {
      if (!(GO_MODULES as readonly string[]).includes(a)) {
        console.error(`gobuild: unknown module ${a} (expected ${GO_MODULES.join(", ")} or all)`);
        Deno.exit(2);
      }
      return a as GoModule;
    });
  for (const module of wanted) {
    const bins = await ensureGoBinaries(module);
    for (const [name, path] of Object.entries(bins)) console.log(`${name}\t${path}`);
  }
}
