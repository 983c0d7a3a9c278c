/**
 * Reading and writing the tenants file (YAML). The file holds token *hashes* and password
 * *hashes* only. Format (snake_case keys):
 *
 * ```yaml
 * tenants:
 *   - id: acme
 *     numeric_id: 1
 *     name: Acme Inc.
 *     enabled: true
 *     tokens:
 *       - { id: 3f9a2b1c, hash: "sha256:<hex>", created: "2025-01-01T00:00:00Z", revoked: false }
 *     limits: { requests_per_second: 100, bytes_per_second: 10485760 }
 *     users:
 *       - { name: alice, password_hash: "pbkdf2-sha256$600000$<salt>$<hash>" }
 * ```
 * @module
 */
import { parse, stringify } from "yaml";
import { isValidTenantId } from "./token.ts";

/** A token entry (only its hash is stored). */
export interface TokenRecord {
  /** Short id used to revoke the token; unique within the tenant. */
  id: string;
  /** `"sha256:<64 hex>"`. */
  hash: string;
  /** RFC 3339 creation time. */
  created: string;
  /** Revoked tokens never authenticate. */
  revoked: boolean;
}

/** A console user of a tenant. */
export interface UserRecord {
  /** Login name, unique within the tenant. */
  name: string;
  /** Salted password hash, see `password.ts`. */
  passwordHash: string;
}

/** One tenant as stored in the file. */
export interface TenantRecord {
  /** Tenant id (`^[a-z0-9][a-z0-9-]{0,62}$`). */
  id: string;
  /** Stable positive integer, unique across tenants (0 is reserved). */
  numericId: number;
  /** Display name. */
  name: string;
  /** Disabled tenants cannot authenticate. */
  enabled: boolean;
  /** Tokens. */
  tokens: TokenRecord[];
  /** Rate limits; absent fields mean the service default. */
  limits: { requestsPerSecond?: number; bytesPerSecond?: number };
  /** Console users. */
  users: UserRecord[];
}

/** The whole tenants file. */
export interface TenantsFile {
  /** Tenants in file order. */
  tenants: TenantRecord[];
}

/** The tenants file is invalid; the message names the entry and the problem. */
export class TenantsFileError extends Error {
  /** Creates the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TenantsFileError";
  }
}

const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function optionalRate(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new TenantsFileError(
      `${where}: expected a non-negative number, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/**
 * Parses and validates the text of a tenants file.
 * Rejects invalid ids, duplicate ids, duplicate numeric ids, malformed hashes and duplicate
 * token ids, with a message naming the entry (`tenants[2] (id "acme"): …`).
 * An empty file is an empty tenant list.
 */
export function parseTenantsFile(text: string, source = "tenants file"): TenantsFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new TenantsFileError(
      `${source}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  if (doc === null || doc === undefined) return { tenants: [] };
  if (!isRecord(doc)) throw new TenantsFileError(`${source}: expected a mapping with "tenants"`);
  const list = doc.tenants ?? [];
  if (!Array.isArray(list)) throw new TenantsFileError(`${source}: "tenants" must be a list`);

  const ids = new Map<string, number>();
  const numericIds = new Map<number, string>();
  const tenants: TenantRecord[] = [];
  list.forEach((raw: unknown, i: number) => {
    let where = `${source}: tenants[${i}]`;
    if (!isRecord(raw)) throw new TenantsFileError(`${where}: expected a mapping`);
    const id = raw.id;
    if (!isValidTenantId(id)) {
      throw new TenantsFileError(
        `${where}: invalid tenant id ${JSON.stringify(id)} (allowed: ^[a-z0-9][a-z0-9-]{0,62}$)`,
      );
    }
    where += ` (id "${id}")`;
    const firstSeen = ids.get(id);
    if (firstSeen !== undefined) {
      throw new TenantsFileError(
        `${where}: duplicate tenant id, first used by tenants[${firstSeen}]`,
      );
    }
    ids.set(id, i);
    const numericId = raw.numeric_id;
    // 0 is excluded: VictoriaLogs files requests without a tenant under AccountID 0.
    if (typeof numericId !== "number" || !Number.isSafeInteger(numericId) || numericId < 1) {
      throw new TenantsFileError(
        `${where}: numeric_id must be a positive integer, got ${JSON.stringify(numericId)}`,
      );
    }
    const owner = numericIds.get(numericId);
    if (owner !== undefined) {
      throw new TenantsFileError(
        `${where}: duplicate numeric_id ${numericId}, already used by tenant "${owner}"`,
      );
    }
    numericIds.set(numericId, id);
    const name = raw.name ?? id;
    if (typeof name !== "string") throw new TenantsFileError(`${where}: name must be a string`);
    const enabled = raw.enabled ?? true;
    if (typeof enabled !== "boolean") {
      throw new TenantsFileError(`${where}: enabled must be true or false`);
    }

    const tokensRaw = raw.tokens ?? [];
    if (!Array.isArray(tokensRaw)) throw new TenantsFileError(`${where}: tokens must be a list`);
    const tokenIds = new Set<string>();
    const tokens = tokensRaw.map((t: unknown, j: number): TokenRecord => {
      const tw = `${where}: tokens[${j}]`;
      if (!isRecord(t)) throw new TenantsFileError(`${tw}: expected a mapping`);
      const tid = typeof t.id === "number" ? String(t.id) : t.id;
      if (typeof tid !== "string" || tid === "") {
        throw new TenantsFileError(`${tw}: id must be a non-empty string`);
      }
      if (tokenIds.has(tid)) throw new TenantsFileError(`${tw}: duplicate token id "${tid}"`);
      tokenIds.add(tid);
      if (typeof t.hash !== "string" || !HASH_PATTERN.test(t.hash)) {
        throw new TenantsFileError(
          `${tw} (token "${tid}"): hash must be "sha256:" followed by 64 lower-case hex digits`,
        );
      }
      const created = t.created instanceof Date ? t.created.toISOString() : t.created ?? "";
      if (typeof created !== "string") {
        throw new TenantsFileError(`${tw} (token "${tid}"): created must be an RFC 3339 time`);
      }
      // `revoked` is a boolean; a timestamp (when it was revoked) also counts as revoked.
      const rv = t.revoked;
      let revoked: boolean;
      if (rv === undefined || rv === null || rv === false) revoked = false;
      else if (rv === true || typeof rv === "string" || rv instanceof Date) revoked = true;
      else throw new TenantsFileError(`${tw} (token "${tid}"): revoked must be true or false`);
      return { id: tid, hash: t.hash, created, revoked };
    });

    const limitsRaw = raw.limits ?? {};
    if (!isRecord(limitsRaw)) throw new TenantsFileError(`${where}: limits must be a mapping`);
    const limits: TenantRecord["limits"] = {};
    const rps = optionalRate(limitsRaw.requests_per_second, `${where}: limits.requests_per_second`);
    const bps = optionalRate(limitsRaw.bytes_per_second, `${where}: limits.bytes_per_second`);
    if (rps !== undefined) limits.requestsPerSecond = rps;
    if (bps !== undefined) limits.bytesPerSecond = bps;

    const usersRaw = raw.users ?? [];
    if (!Array.isArray(usersRaw)) throw new TenantsFileError(`${where}: users must be a list`);
    const userNames = new Set<string>();
    const users = usersRaw.map((u: unknown, j: number): UserRecord => {
      const uw = `${where}: users[${j}]`;
      if (!isRecord(u) || typeof u.name !== "string" || u.name === "") {
        throw new TenantsFileError(`${uw}: expected a mapping with a non-empty name`);
      }
      if (userNames.has(u.name)) throw new TenantsFileError(`${uw}: duplicate user "${u.name}"`);
      userNames.add(u.name);
      if (typeof u.password_hash !== "string" || u.password_hash === "") {
        throw new TenantsFileError(`${uw} (user "${u.name}"): password_hash is required`);
      }
      return { name: u.name, passwordHash: u.password_hash };
    });

    tenants.push({ id, numericId, name, enabled, tokens, limits, users });
  });
  return { tenants };
}

/** Serialises a tenants file to YAML (snake_case keys, stable order). */
export function serialiseTenantsFile(file: TenantsFile): string {
  const doc = {
    tenants: file.tenants.map((t) => {
      const limits: Record<string, number> = {};
      if (t.limits.requestsPerSecond !== undefined) {
        limits.requests_per_second = t.limits.requestsPerSecond;
      }
      if (t.limits.bytesPerSecond !== undefined) limits.bytes_per_second = t.limits.bytesPerSecond;
      return {
        id: t.id,
        numeric_id: t.numericId,
        name: t.name,
        enabled: t.enabled,
        tokens: t.tokens.map((k) => ({
          id: k.id,
          hash: k.hash,
          created: k.created,
          revoked: k.revoked,
        })),
        limits,
        users: t.users.map((u) => ({ name: u.name, password_hash: u.passwordHash })),
      };
    }),
  };
  return "# Obstack tenants. Managed by `deno task tenant`; holds hashes only.\n" +
    stringify(doc, { lineWidth: 0 });
}

/**
 * Reads and validates the tenants file at `path`.
 * With `missingOk`, a missing file reads as an empty tenant list (used by the admin task).
 */
export async function readTenantsFile(
  path: string,
  opts: { missingOk?: boolean } = {},
): Promise<TenantsFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (opts.missingOk && e instanceof Deno.errors.NotFound) return { tenants: [] };
    throw e;
  }
  return parseTenantsFile(text, path);
}

/**
 * Writes the tenants file atomically: a temp file with mode 0600 in the same directory, fsync,
 * then rename over the target, so a reader (the registry's reload) never sees half a file.
 */
export async function writeTenantsFile(path: string, file: TenantsFile): Promise<void> {
  const text = serialiseTenantsFile(file);
  // Validate what we are about to write: the admin task must never produce a file the services
  // reject.
  parseTenantsFile(text, path);
  const slash = path.lastIndexOf("/");
  const dir = slash >= 0 ? path.slice(0, slash) || "/" : ".";
  const base = slash >= 0 ? path.slice(slash + 1) : path;
  const tmp = `${dir}/.${base}.${crypto.randomUUID()}.tmp`;
  try {
    const f = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
    try {
      const bytes = new TextEncoder().encode(text);
      let off = 0;
      while (off < bytes.length) off += await f.write(bytes.subarray(off));
      await f.sync();
    } finally {
      f.close();
    }
    // mode in open() is filtered by the umask; make 0600 explicit.
    await Deno.chmod(tmp, 0o600);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
