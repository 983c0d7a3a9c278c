/**
 * Console login: a tenant token (checked by the tenant registry, constant time, hashes only) or
 * a tenant's console user with a password (PBKDF2 hash from the tenants file).
 *
 * The registry does not expose users, so password logins read the tenants file itself; logins
 * are rate-limited and rare, so reading it per attempt keeps users as fresh as the file without
 * a second watcher.
 * @module
 */
import {
  hashPassword,
  isValidTenantId,
  readTenantsFile,
  type TenantRegistry,
  verifyPassword,
} from "../lib/tenant/mod.ts";

/** Credentials as posted by the login form. */
export type Credentials =
  | { kind: "token"; token: string }
  | { kind: "password"; tenant: string; user: string; password: string };

/** A successful login. */
export interface LoginResult {
  /** The tenant logged into. */
  tenantId: string;
  /** User name for password logins. */
  user?: string;
  /** How the login was made. */
  method: "token" | "password";
}

/** Options of {@linkcode createAuthenticator}. */
export interface AuthenticatorOptions {
  /** The tenant registry (tokens, enabled flag). */
  registry: TenantRegistry;
  /** Path of the tenants file (console users). */
  tenantsFile: string;
}

/** What {@linkcode createAuthenticator} returns. */
export interface Authenticator {
  /** The tenant the credentials open, or null (never says which part was wrong). */
  login(c: Credentials): Promise<LoginResult | null>;
}

/** Longest accepted credential field; bounds hashing work. */
const MAX_FIELD = 512;

/**
 * Creates the authenticator.
 *
 * @example
 * ```ts
 * const auth = createAuthenticator({ registry, tenantsFile: "tenants.yaml" });
 * const r = await auth.login({ kind: "token", token: "obs_…" });
 * ```
 */
export function createAuthenticator(opts: AuthenticatorOptions): Authenticator {
  // A hash to verify against when the user does not exist, so the answer takes as long as for
  // a wrong password and does not reveal which user names exist.
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hashPassword(crypto.randomUUID()));

  return {
    async login(c) {
      if (c.kind === "token") {
        if (!c.token || c.token.length > MAX_FIELD) return null;
        const t = await opts.registry.authenticate(c.token);
        return t ? { tenantId: t.id, method: "token" } : null;
      }
      if (
        !c.user || !c.password || c.user.length > MAX_FIELD || c.password.length > MAX_FIELD ||
        !isValidTenantId(c.tenant)
      ) {
        return null;
      }
      const file = await readTenantsFile(opts.tenantsFile);
      const rec = file.tenants.find((t) => t.id === c.tenant);
      const user = rec?.users.find((u) => u.name === c.user);
      const ok = await verifyPassword(c.password, user?.passwordHash ?? await dummyHash());
      if (!ok || !user || !rec?.enabled) return null;
      // The registry is the authority on whether the tenant may log in at all.
      const live = opts.registry.get(rec.id);
      if (!live?.enabled) return null;
      return { tenantId: rec.id, user: user.name, method: "password" };
    },
  };
}
