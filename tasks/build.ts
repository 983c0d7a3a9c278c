/**
 * `deno task build`: compiles ingest, forwarder and console into single binaries in `dist/`.
 *
 * ```
 * deno task build [--out DIR] [--only ingest,forwarder,console]
 * ```
 *
 * - Each binary embeds the version of `deno.json` (lib/version.ts imports it as JSON, so
 *   `deno compile` bakes it in) and answers `--version`; the build checks that it does.
 * - Permission flags are those of the service's own `deno task` (e.g. `"ingest": "deno run
 *   -A ingest/main.ts"`), so a binary runs with exactly what `deno task ingest` runs with.
 * - The `.proto` files are included (`--include proto`), and the console's web UI files.
 * - `deno compile` needs the Deno runtime for compiled programs (`denort`). Deno downloads it
 *   from its own website unless the `DENORT_BIN` environment variable gives its path (a
 *   `denort` of the same Deno version and target). When neither works the build stops with
 *   one message saying so, before compiling anything.
 *
 * Exit codes: 0 built, 1 failed, 2 usage error.
 * @module
 */
import { parseArgs } from "node:util";
import denoJson from "../deno.json" with { type: "json" };

/** The services that ship as binaries. */
export const SERVICES = ["ingest", "forwarder", "console"] as const;
/** One of {@linkcode SERVICES}. */
export type ServiceName = typeof SERVICES[number];

/** How one service is compiled. */
export interface ServiceBuild {
  /** Service name, e.g. `ingest`. */
  name: ServiceName;
  /** Entry module relative to the repo root, e.g. `ingest/main.ts`. */
  entry: string;
  /** Binary file name in the output directory, e.g. `obstack-ingest`. */
  binary: string;
  /** Runtime flags (permissions) taken from the service's deno task. */
  flags: string[];
  /** Paths (relative to the root) embedded next to the code, e.g. `proto`. */
  includes: string[];
}

/** Flags of `deno run` that mean the same for `deno compile` and are carried over. */
const CARRIED_FLAG =
  /^(-A|--allow-all|--(allow|deny)-[a-z-]+(=.*)?|--unstable(-[a-z-]+)?|--v8-flags=.*|--seed=.*|--location=.*|--no-prompt|--env-file(=.*)?)$/;

/**
 * Reads a service's entry module and runtime flags from its `deno task`
 * (`deno run <flags> <entry>`).
 *
 * @example
 * ```ts
 * parseRunTask("deno run -A ingest/main.ts"); // { flags: ["-A"], entry: "ingest/main.ts" }
 * ```
 */
export function parseRunTask(task: string): { flags: string[]; entry: string } {
  const words = task.trim().split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "run") {
    throw new Error(`expected "deno run <flags> <entry>", got ${JSON.stringify(task)}`);
  }
  const rest = words.slice(2);
  const entryAt = rest.findIndex((w) => !w.startsWith("-"));
  if (entryAt < 0) throw new Error(`no entry module in ${JSON.stringify(task)}`);
  const flags = rest.slice(0, entryAt).filter((f) => CARRIED_FLAG.test(f));
  return { flags, entry: rest[entryAt]! };
}

/**
 * Files a service reads at run time besides the `.proto` files (found relative to its
 * modules, which `deno compile` keeps valid inside the binary): the console's web UI.
 */
export const EXTRA_INCLUDES: Partial<Record<ServiceName, string[]>> = {
  console: ["console/ui/pages", "console/ui/static"],
};

/** The build plan of every service, from `deno.json` tasks. */
export function serviceBuilds(
  tasks: Record<string, string> = denoJson.tasks,
): ServiceBuild[] {
  return SERVICES.map((name) => {
    const task = tasks[name];
    if (task === undefined) throw new Error(`deno.json has no "${name}" task`);
    const { flags, entry } = parseRunTask(task);
    return {
      name,
      entry,
      binary: `obstack-${name}`,
      flags,
      includes: ["proto", ...(EXTRA_INCLUDES[name] ?? [])],
    };
  });
}

/** The `deno compile` arguments for one service. */
export function compileArgs(b: ServiceBuild, outDir: string): string[] {
  return [
    "compile",
    ...b.flags,
    ...b.includes.flatMap((p) => ["--include", p]),
    "--output",
    `${outDir}/${b.binary}`,
    b.entry,
  ];
}

/** The one message printed when `deno compile` cannot get its runtime. */
export function runtimeMissingMessage(detail: string): string {
  return `deno task build: cannot compile: the Deno runtime for compiled programs (denort, ` +
    `Deno ${Deno.version.deno}, ${Deno.build.target}) ${detail}; it must be downloadable ` +
    `by deno compile, or given as a file path in DENORT_BIN.`;
}

/** A failure whose message is the whole story (printed alone, without a stack). */
export class BuildError extends Error {}

/**
 * The environment for `deno compile`: an empty `DENORT_BIN` is removed, because Deno would
 * try to read a file named "" instead of downloading.
 */
export function compileEnv(env: Record<string, string>): Record<string, string> {
  const out = { ...env };
  if (out.DENORT_BIN === "") delete out.DENORT_BIN;
  return out;
}

/** How `deno compile` reports that it could not get (download or read) its runtime. */
const BASE_BINARY_FAILURE = /Setting up base binary/;

/**
 * Checks before compiling anything that `deno compile` has a runtime: `DENORT_BIN` names a
 * file, or (without it) a trivial program compiles, which downloads and caches the runtime.
 * Throws {@linkcode BuildError} with {@linkcode runtimeMissingMessage} otherwise.
 */
export async function ensureRuntime(env: Record<string, string>): Promise<void> {
  const denort = env.DENORT_BIN;
  if (denort !== undefined && denort !== "") {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(denort);
    } catch {
      throw new BuildError(runtimeMissingMessage(`was not found at DENORT_BIN=${denort}`));
    }
    if (!info.isFile) {
      throw new BuildError(runtimeMissingMessage(`is not a file at DENORT_BIN=${denort}`));
    }
    return;
  }
  const dir = await Deno.makeTempDir({ prefix: "obstack-build-probe-" });
  try {
    await Deno.writeTextFile(`${dir}/probe.ts`, "console.log('ok');\n");
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["compile", "--no-config", "--output", `${dir}/probe`, `${dir}/probe.ts`],
      cwd: dir,
      env: compileEnv(env),
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (out.success) return;
    const err = new TextDecoder().decode(out.stderr);
    if (BASE_BINARY_FAILURE.test(err)) {
      throw new BuildError(
        runtimeMissingMessage("could not be downloaded and DENORT_BIN is not set"),
      );
    }
    throw new BuildError(`deno task build: deno compile does not work here:\n${err.trim()}`);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Runs `<binary> --version` and returns its stdout (trimmed), bounded in time. */
async function versionOf(path: string): Promise<string> {
  const child = new Deno.Command(path, {
    args: ["--version"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, 15_000);
  try {
    const out = await child.output();
    return new TextDecoder().decode(out.stdout).trim();
  } finally {
    clearTimeout(timer);
  }
}

/** What {@linkcode build} takes. */
export interface BuildOptions {
  /** Repository root (contains deno.json). */
  root: string;
  /** Output directory; default `<root>/dist`. */
  outDir?: string;
  /** Services to build; default all. */
  only?: readonly ServiceName[];
  /** Environment for `deno compile`; default the current one. */
  env?: Record<string, string>;
  /** Progress output; default stderr. */
  log?: (line: string) => void;
}

/**
 * Compiles the services and checks that each binary prints `obstack-<name> <version>` for
 * `--version`. Returns the paths of the binaries. Throws {@linkcode BuildError}.
 */
export async function build(opts: BuildOptions): Promise<string[]> {
  const env = opts.env ?? Deno.env.toObject();
  const log = opts.log ?? ((l: string) => console.error(l));
  const outDir = opts.outDir ?? `${opts.root}/dist`;
  const plans = serviceBuilds().filter((b) => !opts.only || opts.only.includes(b.name));
  await ensureRuntime(env);
  await Deno.mkdir(outDir, { recursive: true });
  const built: string[] = [];
  for (const plan of plans) {
    const path = `${outDir}/${plan.binary}`;
    log(`build: ${plan.entry} → ${path} (${plan.flags.join(" ") || "no permissions"})`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(plan, outDir),
      cwd: opts.root,
      env: compileEnv(env),
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const err = new TextDecoder().decode(out.stderr).trim();
      if (BASE_BINARY_FAILURE.test(err)) {
        throw new BuildError(runtimeMissingMessage("could not be set up"));
      }
      throw new BuildError(`deno task build: compiling ${plan.entry} failed:\n${err}`);
    }
    const expected = `${plan.binary} ${denoJson.version}`;
    const got = await versionOf(path);
    if (!got.split("\n").includes(expected)) {
      throw new BuildError(
        `deno task build: ${path} --version printed ${JSON.stringify(got.slice(0, 200))}, ` +
          `expected "${expected}". Either DENORT_BIN is not the denort runtime (the deno CLI ` +
          `does not work as one) or ${plan.entry} does not handle --version ` +
          `(lib/version.ts: printVersionIfAsked).`,
      );
    }
    log(`build: ${expected} ok`);
    built.push(path);
  }
  return built;
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  let code = 0;
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: { out: { type: "string" }, only: { type: "string" } },
      strict: true,
    });
    let only: ServiceName[] | undefined;
    if (values.only !== undefined) {
      const names = values.only.split(",").map((s) => s.trim()).filter((s) => s !== "");
      const bad = names.filter((n) => !(SERVICES as readonly string[]).includes(n));
      if (bad.length > 0 || names.length === 0) {
        console.error(`deno task build: --only takes ${SERVICES.join(", ")}; got ${values.only}`);
        Deno.exit(2);
      }
      only = names as ServiceName[];
    }
    const paths = await build({ root, outDir: values.out, only });
    console.log(paths.join("\n"));
  } catch (err) {
    if (err instanceof BuildError) console.error(err.message);
    else if (err instanceof TypeError && /option|argument/i.test(err.message)) {
      console.error(`deno task build: ${err.message}`);
      code = 2;
    } else console.error(`deno task build: ${err instanceof Error ? err.message : String(err)}`);
    if (code === 0) code = 1;
  }
  Deno.exit(code);
}
