/**
 * Shared helpers of the deployment tests: the repository root, compose.yaml, kong.yaml and
 * .env.example parsed, compose-style `${VAR}` interpolation, and running a command.
 * @module
 */
import { parse } from "yaml";

/** Repository root, without a trailing slash. */
export const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** The services of the pipeline whose config schemas the compose wiring is checked against. */
export const OBSTACK_SERVICES = ["ingest", "forwarder", "console"] as const;

/** A compose service, as far as the tests read it. */
export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string } | string;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  ports?: (string | Record<string, unknown>)[];
  volumes?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  profiles?: string[];
  restart?: string;
  mem_limit?: string;
  network_mode?: string;
  [key: string]: unknown;
}

/** compose.yaml as far as the tests read it. */
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Reads a repo file as text. */
export function readRepoFile(path: string): Promise<string> {
  return Deno.readTextFile(`${ROOT}/${path}`);
}

/** Parses YAML with merge keys (`<<: *anchor`), as compose does. */
export function parseYaml(text: string): unknown {
  return parse(text, { merge: true });
}

/** compose.yaml, parsed (anchors merged, nothing interpolated). */
export async function loadCompose(): Promise<ComposeFile> {
  return parseYaml(await readRepoFile("compose.yaml")) as ComposeFile;
}

/** `.env.example` as a map (comments and blank lines skipped). */
export async function loadEnvExample(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of (await readRepoFile(".env.example")).split("\n")) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    const eq = t.indexOf("=");
    if (eq <= 0) throw new Error(`.env.example: not NAME=value: ${line}`);
    out[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return out;
}

/** A `${…}` reference found in a compose value. */
export interface VarRef {
  name: string;
  /** `:-` default, if any. */
  fallback?: string;
  /** True for `${VAR:?message}` / `${VAR?message}`. */
  required: boolean;
}

const VAR_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*)|(:?\?)([^}]*))?\}/g;

/** The `${…}` references in a string. */
export function varRefs(value: string): VarRef[] {
  return [...value.replaceAll("$$", "").matchAll(VAR_REF)].map((m) => ({
    name: m[1]!,
    fallback: m[2] !== undefined ? m[3] : undefined,
    required: m[4] !== undefined,
  }));
}

/**
 * Compose-style interpolation of `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?err}` and `$$`; throws on a missing required variable.
 */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  const parts = value.split("$$").map((part) =>
    part.replace(
      VAR_REF,
      (_all, name: string, dashOp?: string, dflt?: string, qOp?: string, msg?: string) => {
        const v = env[name];
        if (dashOp === ":-") return v === undefined || v === "" ? dflt ?? "" : v;
        if (dashOp === "-") return v === undefined ? dflt ?? "" : v;
        if (qOp !== undefined) {
          if (v === undefined || (qOp === ":?" && v === "")) {
            throw new Error(`required variable ${name} is missing: ${msg}`);
          }
          return v;
        }
        return v ?? "";
      },
    )
  );
  return parts.join("$");
}

/** Every string in a parsed YAML value (deep), for scanning. */
export function allStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [k, ...allStrings(v)]);
  }
  return [];
}

/** A service's environment, interpolated with `env`, as strings. */
export function serviceEnv(
  svc: ComposeService,
  env: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.environment ?? {})) {
    out[k] = interpolate(v === null ? "" : String(v), env);
  }
  return out;
}

/** Result of {@linkcode runCommand}. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, bounded by `timeoutMs` (killed after it). */
export async function runCommand(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; clearEnv?: boolean; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: opts.cwd ?? ROOT,
    env: opts.env,
    clearEnv: opts.clearEnv ?? false,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
  }, opts.timeoutMs ?? 120_000);
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } finally {
    clearTimeout(timer);
  }
}

/** Full path of `command` on PATH, or undefined. */
export async function which(command: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    try {
      const info = await Deno.stat(`${dir}/${command}`);
      if (info.isFile) return `${dir}/${command}`;
    } catch { /* not in this dir */ }
  }
  return undefined;
}

/** Path of a required tool, or an error that says how to get it. */
export async function requireTool(command: string, pkg: string): Promise<string> {
  const path = await which(command);
  if (!path) {
    throw new Error(
      `${command} is not installed: run \`deno run -A tasks/ensure_tools.ts\` ` +
        `(apt-get install ${pkg}); deno task test does this first`,
    );
  }
  return path;
}
