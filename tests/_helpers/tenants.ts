/**
 * Test helper: a temporary tenants file with freshly issued tokens.
 *
 * @module
 */
import {
  generateToken,
  hashToken,
  type TenantRecord,
  writeTenantsFile,
} from "../../lib/tenant/mod.ts";

/** A tenant to create: id and optional settings. */
export interface TestTenantSpec {
  id: string;
  numericId?: number;
  enabled?: boolean;
  limits?: TenantRecord["limits"];
  /** Extra tokens that are issued and then marked revoked. */
  revokedTokens?: number;
}

/** What {@linkcode writeTestTenants} returns. */
export interface TestTenants {
  path: string;
  dir: string;
  /** A valid token per tenant id (also for disabled tenants). */
  tokens: Record<string, string>;
  /** Revoked tokens per tenant id. */
  revoked: Record<string, string[]>;
  cleanup(): Promise<void>;
}

/** Writes a tenants file into a new temp dir and returns the plaintext tokens. */
export async function writeTestTenants(specs: TestTenantSpec[]): Promise<TestTenants> {
  const dir = await Deno.makeTempDir({ prefix: "obstack-tenants-" });
  const path = `${dir}/tenants.yaml`;
  const tokens: Record<string, string> = {};
  const revoked: Record<string, string[]> = {};
  const tenants: TenantRecord[] = [];
  let n = 1;
  for (const s of specs) {
    const token = generateToken();
    tokens[s.id] = token;
    const recs = [{
      id: "t1",
      hash: await hashToken(token),
      created: new Date().toISOString(),
      revoked: false,
    }];
    revoked[s.id] = [];
    for (let i = 0; i < (s.revokedTokens ?? 0); i++) {
      const r = generateToken();
      revoked[s.id]!.push(r);
      recs.push({
        id: `r${i + 1}`,
        hash: await hashToken(r),
        created: new Date().toISOString(),
        revoked: true,
      });
    }
    tenants.push({
      id: s.id,
      numericId: s.numericId ?? n,
      name: s.id,
      enabled: s.enabled ?? true,
      tokens: recs,
      limits: s.limits ?? {},
      users: [],
    });
    n++;
  }
  await writeTenantsFile(path, { tenants });
  return {
    path,
    dir,
    tokens,
    revoked,
    cleanup: () => Deno.remove(dir, { recursive: true }).catch(() => {}),
  };
}
