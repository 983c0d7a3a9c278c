/**
 * Helpers for the tenant tests: temp tenants files and polling (no fixed sleeps).
 * @module
 */
import { hashToken } from "./token.ts";
import type { TenantRecord, TenantsFile } from "./store.ts";

/** A tenant record with one token per entry of `tokens` (`revoked` marks which are revoked). */
export async function tenantWithTokens(
  id: string,
  numericId: number,
  tokens: Array<{ token: string; id: string; revoked?: boolean }>,
  extra: Partial<TenantRecord> = {},
): Promise<TenantRecord> {
  return {
    id,
    numericId,
    name: id,
    enabled: true,
    tokens: await Promise.all(tokens.map(async (t) => ({
      id: t.id,
      hash: await hashToken(t.token),
      created: "2025-01-01T00:00:00Z",
      revoked: t.revoked ?? false,
    }))),
    limits: {},
    users: [],
    ...extra,
  };
}

/** Polls `check` every 20 ms until it returns true or `timeoutMs` passes. */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A fresh temp dir and a tenants file path inside it. */
export async function tempTenantsPath(): Promise<{ dir: string; path: string }> {
  const dir = await Deno.makeTempDir({ prefix: "obstack-tenants-" });
  return { dir, path: `${dir}/tenants.yaml` };
}

/** An empty tenants file structure. */
export function file(...tenants: TenantRecord[]): TenantsFile {
  return { tenants };
}
