/**
 * Server-side console sessions. The cookie carries only a random 256-bit id; everything else
 * (tenant, user, expiry) stays on the server, so a tampered or guessed cookie matches nothing
 * and logout really ends the session.
 * @module
 */

/** One console session. */
export interface Session {
  /** Random id (base64url of 32 bytes); the cookie value. */
  readonly id: string;
  /** The tenant this session may see; fixed at login. */
  readonly tenantId: string;
  /** User name for password logins; absent for token logins. */
  readonly user?: string;
  /** How the session was opened. */
  readonly method: "token" | "password";
  /** Creation time, ms since epoch. */
  readonly createdAt: number;
  /** Expiry time, ms since epoch. */
  readonly expiresAt: number;
}

/** Options of {@linkcode createSessionStore}. */
export interface SessionStoreOptions {
  /** Session lifetime in ms. */
  ttlMs: number;
  /** Most sessions kept at once; the oldest are dropped beyond it. Default 10,000. */
  maxSessions?: number;
  /** Clock (ms since epoch); injectable for tests. */
  now?: () => number;
}

/** What {@linkcode createSessionStore} returns. */
export interface SessionStore {
  /** Opens a session for a tenant. */
  create(init: { tenantId: string; user?: string; method: "token" | "password" }): Session;
  /** The live session with this id, or null (unknown, malformed or expired). */
  get(id: string | undefined): Session | null;
  /** Ends a session; unknown ids are ignored. */
  destroy(id: string | undefined): void;
  /** Ends every session of a tenant (e.g. when it is disabled). */
  destroyTenant(tenantId: string): void;
  /** Number of live sessions (for tests and metrics). */
  size(): number;
}

const ID_RE = /^[A-Za-z0-9_-]{43}$/;

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Creates an in-memory session store. Sessions do not survive a restart of the console, which
 * is acceptable for a console (users log in again) and keeps secrets out of any file.
 *
 * @example
 * ```ts
 * const store = createSessionStore({ ttlMs: 8 * 3600_000 });
 * const s = store.create({ tenantId: "acme", method: "token" });
 * store.get(s.id)?.tenantId; // "acme"
 * ```
 */
export function createSessionStore(opts: SessionStoreOptions): SessionStore {
  if (!Number.isFinite(opts.ttlMs) || opts.ttlMs <= 0) {
    throw new TypeError("createSessionStore: ttlMs must be > 0");
  }
  const maxSessions = opts.maxSessions ?? 10_000;
  if (!Number.isSafeInteger(maxSessions) || maxSessions < 1) {
    throw new TypeError("createSessionStore: maxSessions must be a positive integer");
  }
  const now = opts.now ?? Date.now;
  // Map keeps insertion order = creation order, so the first entries are the oldest.
  const sessions = new Map<string, Session>();

  const sweep = () => {
    const t = now();
    for (const [id, s] of sessions) if (s.expiresAt <= t) sessions.delete(id);
  };

  return {
    create(init) {
      sweep();
      while (sessions.size >= maxSessions) {
        const oldest = sessions.keys().next().value;
        if (oldest === undefined) break;
        sessions.delete(oldest);
      }
      const t = now();
      const s: Session = Object.freeze({
        id: randomId(),
        tenantId: init.tenantId,
        method: init.method,
        createdAt: t,
        expiresAt: t + opts.ttlMs,
        ...(init.user !== undefined ? { user: init.user } : {}),
      });
      sessions.set(s.id, s);
      return s;
    },
    get(id) {
      if (id === undefined || !ID_RE.test(id)) return null;
      const s = sessions.get(id);
      if (!s) return null;
      if (s.expiresAt <= now()) {
        sessions.delete(id);
        return null;
      }
      return s;
    },
    destroy(id) {
      if (id !== undefined) sessions.delete(id);
    },
    destroyTenant(tenantId) {
      for (const [id, s] of sessions) if (s.tenantId === tenantId) sessions.delete(id);
    },
    size() {
      sweep();
      return sessions.size;
    },
  };
}
