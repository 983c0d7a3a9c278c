/**
 * The tenant registry: authenticates tokens against the tenants file and follows changes to it
 * without a restart.
 * @module
 */
import type { Logger } from "../log/logger.ts";
import { readTenantsFile, type TenantRecord, type TenantsFile } from "./store.ts";
import type { Tenant } from "./tenant.ts";
import { byteDiff } from "./_timing_safe_equal.ts";

/** Options of {@linkcode createTenantRegistry}. */
export interface TenantRegistryOptions {
  /** Path of the tenants YAML file. */
  path: string;
  /** Interval of the mtime poll that backs up `Deno.watchFs`; default 2000 ms, 0 disables it. */
  pollIntervalMs?: number;
  /** Where reloads and broken files are reported. */
  logger?: Logger;
  /** Use `Deno.watchFs` (default true); false leaves only the poll (tests of the fallback). */
  watch?: boolean;
}

/** The registry returned by {@linkcode createTenantRegistry}. */
export interface TenantRegistry {
  /** The tenant owning `token`, or null if unknown, revoked, or the tenant is disabled. */
  authenticate(token: string): Promise<Tenant | null>;
  /** Tenant by id (enabled or not). */
  get(id: string): Tenant | undefined;
  /** All tenants, in file order. */
  list(): Tenant[];
  /** Re-reads the file now; throws (and keeps the last good state) if it is invalid. */
  reload(): Promise<void>;
  /** Stops watching the file. */
  close(): void;
}

interface TokenSlot {
  hash: Uint8Array;
  revoked: boolean;
  tenant: Tenant;
}

interface Snapshot {
  tenants: Tenant[];
  byId: Map<string, Tenant>;
  slots: TokenSlot[];
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function toTenant(r: TenantRecord): Tenant {
  return Object.freeze({
    id: r.id,
    numericId: r.numericId,
    name: r.name,
    enabled: r.enabled,
    limits: Object.freeze({ ...r.limits }),
  });
}

function buildSnapshot(file: TenantsFile): Snapshot {
  const tenants: Tenant[] = [];
  const byId = new Map<string, Tenant>();
  const slots: TokenSlot[] = [];
  for (const r of file.tenants) {
    const t = toTenant(r);
    tenants.push(t);
    byId.set(t.id, t);
    for (const tok of r.tokens) {
      slots.push({
        hash: hexToBytes(tok.hash.slice("sha256:".length)),
        revoked: tok.revoked,
        tenant: t,
      });
    }
  }
  return { tenants, byId, slots };
}

/**
 * Loads the tenants file and keeps it current. Fails if the file is missing or invalid at start
 * (invalid config fails at start); later a broken file keeps the last good state and logs an
 * error.
 *
 * Changes are noticed by `Deno.watchFs` on the file's directory (an atomic rename replaces the
 * file, so watching the file itself would lose track of it) plus a modification-time poll,
 * because file-system events are not delivered on every file system (network mounts, some
 * container volumes).
 *
 * @example
 * ```ts
 * const reg = await createTenantRegistry({ path: "tenants.yaml" });
 * const tenant = await reg.authenticate(token); // Tenant | null
 * ```
 */
export async function createTenantRegistry(opts: TenantRegistryOptions): Promise<TenantRegistry> {
  const path = opts.path;
  if (typeof path !== "string" || path === "") {
    throw new TypeError("createTenantRegistry: path is required");
  }
  const pollIntervalMs = opts.pollIntervalMs ?? 2000;
  if (!Number.isFinite(pollIntervalMs) || pollIntervalMs < 0) {
    throw new TypeError("createTenantRegistry: pollIntervalMs must be >= 0");
  }
  const log = opts.logger;

  let lastStamp = "";
  const stampOf = async (): Promise<string> => {
    try {
      const st = await Deno.stat(path);
      return `${st.mtime?.getTime() ?? 0}:${st.size}:${st.ino ?? 0}`;
    } catch {
      return "missing";
    }
  };

  let snapshot: Snapshot;
  {
    const stamp = await stampOf();
    snapshot = buildSnapshot(await readTenantsFile(path));
    lastStamp = stamp;
  }
  log?.info("tenants loaded", { path, tenants: snapshot.tenants.length });

  let closed = false;
  let reloading: Promise<void> = Promise.resolve();

  const doReload = async (): Promise<void> => {
    const stamp = await stampOf();
    const next = buildSnapshot(await readTenantsFile(path));
    snapshot = next;
    lastStamp = stamp;
    log?.info("tenants reloaded", { path, tenants: next.tenants.length });
  };

  const reload = (): Promise<void> => {
    // Serialise reloads: a reload requested while one runs starts after it.
    const run = reloading.then(doReload);
    reloading = run.catch(() => {});
    return run;
  };

  /** Reload if the file looks different; errors are logged, never thrown. */
  const reloadIfChanged = async (): Promise<void> => {
    if (closed) return;
    const stamp = await stampOf();
    if (stamp === lastStamp || closed) return;
    try {
      await reload();
    } catch (e) {
      // Remember the broken version so it is not re-reported on every poll.
      lastStamp = stamp;
      log?.error("tenants file invalid; keeping the last good configuration", {
        path,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  };

  const timer = pollIntervalMs > 0
    ? setInterval(() => void reloadIfChanged(), pollIntervalMs)
    : undefined;

  let watcher: Deno.FsWatcher | undefined;
  let debounce: ReturnType<typeof setTimeout> | undefined;
  if (opts.watch !== false) startWatching();

  function startWatching(): void {
    try {
      const slash = path.lastIndexOf("/");
      const dir = slash >= 0 ? path.slice(0, slash) || "/" : ".";
      watcher = Deno.watchFs(dir, { recursive: false });
      const base = path.slice(slash + 1);
      (async () => {
        for await (const ev of watcher!) {
          if (!ev.paths.some((p) => p.endsWith("/" + base) || p === base)) continue;
          // Editors and atomic writes produce bursts of events; act once they settle.
          clearTimeout(debounce);
          debounce = setTimeout(() => void reloadIfChanged(), 50);
        }
      })().catch((e) => {
        log?.warn("file watch stopped; relying on polling", { path, error: String(e) });
      });
    } catch (e) {
      log?.warn("cannot watch tenants file; relying on polling", { path, error: String(e) });
      watcher = undefined;
    }
  }

  return {
    async authenticate(token: string): Promise<Tenant | null> {
      if (typeof token !== "string" || token === "") return null;
      const digest = new Uint8Array(
        await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)),
      );
      const slots = snapshot.slots;
      // Compare against every stored hash, without early exit, so the time does not reveal
      // which tenant or token (if any) matched.
      let found = -1;
      for (let i = 0; i < slots.length; i++) {
        // Branch-free select of the first match: isEq is 1 iff the diff is 0, unset is 1 while
        // found is still -1; take is all ones iff both.
        const isEq = ((byteDiff(digest, slots[i]!.hash) - 1) >>> 31) & 1;
        const unset = (found >>> 31) & 1;
        const take = -(isEq & unset);
        found = (found & ~take) | (i & take);
      }
      if (found < 0) return null;
      const slot = slots[found]!;
      if (slot.revoked || !slot.tenant.enabled) return null;
      return slot.tenant;
    },
    get(id: string): Tenant | undefined {
      return snapshot.byId.get(id);
    },
    list(): Tenant[] {
      return [...snapshot.tenants];
    },
    reload,
    close(): void {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      clearTimeout(debounce);
      try {
        watcher?.close();
      } catch {
        // already closed
      }
    },
  };
}
