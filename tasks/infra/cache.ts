/**
 * Locations of the caches kept outside the clone, so a fresh clone on the same machine
 * reuses every download and build (INFRA.md "Caching").
 *
 * @module
 */

/** Root of Obstack's caches: `$OBSTACK_CACHE`, default `$HOME/.cache/obstack`. */
export function obstackCache(): string {
  const explicit = Deno.env.get("OBSTACK_CACHE");
  if (explicit) return explicit;
  const home = Deno.env.get("HOME");
  if (!home) throw new Error("OBSTACK_CACHE is not set and HOME is unknown");
  return `${home}/.cache/obstack`;
}

/** Absolute path of the repository root (two levels above this file). */
export function repoRoot(): string {
  return new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
}
