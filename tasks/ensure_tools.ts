/**
 * Installs the Debian tools the test suite uses, when missing (idempotent, quiet when all
 * are present):
 *
 * | tool | package | used by |
 * |---|---|---|
 * | `docker-compose` | docker-compose | tests/deploy: `docker-compose config -q` (no engine needed) |
 * | `deck` | deck | tests/deploy: `deck validate -s kong/kong.yaml` |
 * | `chromium` | chromium, fonts-liberation | console end-to-end tests (headless) |
 *
 * `deno task test` calls {@linkcode ensureTools} before the tests; it can also be run alone:
 * `deno run -A tasks/ensure_tools.ts`. It never throws: a tool that cannot be installed (not
 * root, no apt-get, no network) is reported, and the tests that need it fail saying so.
 *
 * @module
 */

/** A command-line tool and the Debian packages that provide it. */
export interface AptTool {
  /** Executable name looked up on PATH. */
  command: string;
  /** Packages to install when it is missing. */
  packages: string[];
}

/** The tools the test suite needs. */
export const TOOLS: readonly AptTool[] = [
  { command: "docker-compose", packages: ["docker-compose"] },
  { command: "deck", packages: ["deck"] },
  { command: "chromium", packages: ["chromium", "fonts-liberation"] },
];

/** Full path of `command` on PATH, or undefined. */
export async function which(command: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    if (dir === "") continue;
    const path = `${dir}/${command}`;
    try {
      const info = await Deno.stat(path);
      if (info.isFile && (info.mode ?? 0o111) & 0o111) return path;
    } catch { /* not here */ }
  }
  return undefined;
}

async function run(args: string[]): Promise<{ ok: boolean; tail: string }> {
  const out = await new Deno.Command(args[0]!, {
    args: args.slice(1),
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { ok: out.success, tail: text.trim().split("\n").slice(-5).join("\n") };
}

/** Result of {@linkcode ensureTools}: which commands are available afterwards. */
export interface EnsureResult {
  /** Commands present (found or installed). */
  present: string[];
  /** Commands still missing, with the reason. */
  missing: { command: string; reason: string }[];
}

/**
 * Installs the missing tools with apt-get (one `apt-get update`, one install) and reports
 * what is available. Progress goes to stderr.
 */
export async function ensureTools(tools: readonly AptTool[] = TOOLS): Promise<EnsureResult> {
  const say = (m: string) => console.error(`ensure_tools: ${m}`);
  const result: EnsureResult = { present: [], missing: [] };
  const absent: AptTool[] = [];
  for (const t of tools) {
    if (await which(t.command)) result.present.push(t.command);
    else absent.push(t);
  }
  if (absent.length === 0) return result;
  const packages = absent.flatMap((t) => t.packages);
  const apt = await which("apt-get");
  const isRoot = Deno.uid() === 0;
  if (!apt || !isRoot) {
    const reason = !apt ? "apt-get is not available" : "not root (run: sudo apt-get install " +
      `${packages.join(" ")})`;
    for (const t of absent) result.missing.push({ command: t.command, reason });
    say(`cannot install ${absent.map((t) => t.command).join(", ")}: ${reason}`);
    return result;
  }
  say(`installing ${packages.join(" ")} with apt-get (once; may take a minute) …`);
  const lock = ["-o", "DPkg::Lock::Timeout=300"];
  const update = await run([apt, ...lock, "update", "-qq"]);
  if (!update.ok) say(`apt-get update failed (trying the install anyway):\n${update.tail}`);
  const install = await run([
    apt,
    ...lock,
    "install",
    "-y",
    "-qq",
    "--no-install-recommends",
    ...packages,
  ]);
  if (!install.ok) say(`apt-get install failed:\n${install.tail}`);
  for (const t of absent) {
    if (await which(t.command)) result.present.push(t.command);
    else {
      result.missing.push({
        command: t.command,
        reason: `apt-get install ${t.packages.join(" ")} failed`,
      });
    }
  }
  say(
    `present: ${result.present.join(", ") || "none"}` +
      (result.missing.length
        ? `; missing: ${result.missing.map((m) => m.command).join(", ")}`
        : ""),
  );
  return result;
}

if (import.meta.main) {
  const r = await ensureTools();
  Deno.exit(r.missing.length === 0 ? 0 : 1);
}
