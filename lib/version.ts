/**
 * The Obstack version, one source for every service's `--version`.
 *
 * The version lives in `deno.json` only. Importing it as a JSON module means `deno run`
 * reads it at start and `deno compile` (tasks/build.ts) embeds it in the binary, so a
 * compiled service prints the version it was built from and the two cannot drift.
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };

/** The project version from `deno.json`, e.g. `0.1.0`. */
export const OBSTACK_VERSION: string = denoJson.version;

/**
 * Handles `--version` / `-V` for a service entry point: prints `<name> <version>` and
 * returns true (the caller then exits 0); returns false when the flag is absent.
 *
 * @example
 * ```ts
 * if (printVersionIfAsked("obstack-ingest", Deno.args)) Deno.exit(0);
 * ```
 */
export function printVersionIfAsked(name: string, args: readonly string[]): boolean {
  if (!args.includes("--version") && !args.includes("-V")) return false;
  console.log(`${name} ${OBSTACK_VERSION}`);
  return true;
}
