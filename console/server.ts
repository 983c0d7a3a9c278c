/**
 * The console service: login/logout, the session gate, the web UI and the tenant-scoped query
 * API, as one `(Request) => Response` handler that tests drive without a socket.
 *
 * CSRF: the session cookie is SameSite=Strict, state changes happen only on POST (login,
 * logout), and every POST must come from the console's own Origin. GET never changes state.
 * @module
 */
import { badRequest, ObstackError, tooManyRequests } from "../lib/errors.ts";
import type { Logger } from "../lib/log/mod.ts";
import type { TenantRegistry } from "../lib/tenant/mod.ts";
import { createQueryApi, type QueryApiDeps } from "./api.ts";
import type { Authenticator, Credentials } from "./auth.ts";
import { isSameOrigin } from "./http/origin.ts";
import { errorResponse, json, secure } from "./http/respond.ts";
import {
  type LoginLimiter,
  parseCookies,
  type Session,
  SESSION_COOKIE,
  sessionCookie,
  type SessionStore,
} from "./session/mod.ts";
import type { UiAssets } from "./ui/assets.ts";

/** Everything the console needs. */
export interface ConsoleDeps extends QueryApiDeps {
  /** Tenant registry: the enabled flag and display name are re-checked on every request. */
  registry: TenantRegistry;
  /** Checks credentials. */
  auth: Authenticator;
  /** Server-side sessions. */
  sessions: SessionStore;
  /** Login attempt limiter. */
  loginLimiter: LoginLimiter;
  /** The web UI files. */
  ui: UiAssets;
  /** Mark the cookie Secure. */
  secureCookie: boolean;
  /** Extra origins accepted on POST. */
  allowedOrigins: readonly string[];
  /**
   * Reverse proxies in front of the console that append to `X-Forwarded-For` (Kong: 1). The
   * client address used for the login limit is then the entry that many places from the right;
   * 0 (default) uses the connection's address and ignores the header, which clients can forge.
   */
  trustedProxyHops?: number;
  /** Logger. */
  logger?: Logger;
}

/** Connection info Deno.serve passes to the handler. */
export interface ConnInfo {
  /** Client address. */
  remoteAddr?: { hostname?: string } | Deno.Addr;
}

/** The console returned by {@linkcode createConsole}. */
export interface Console {
  /** Handles one request. Never throws. */
  handle(req: Request, info?: ConnInfo): Promise<Response>;
}

/** Largest login/logout body read. */
const MAX_FORM_BYTES = 16 * 1024;

/** Pages of the single-page app; each serves the app shell, which picks the view. */
const APP_PATHS = new Set(["/", "/metrics", "/traces", "/logs", "/search"]);

function redirect(location: string, status = 303, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("Location", location);
  return new Response(null, { status, headers: h });
}

function wantsJson(req: Request): boolean {
  return (req.headers.get("Content-Type") ?? "").includes("application/json") ||
    (req.headers.get("Accept") ?? "").includes("application/json");
}

async function readForm(req: Request): Promise<Record<string, string>> {
  const len = Number(req.headers.get("Content-Length") ?? "0");
  if (len > MAX_FORM_BYTES) throw badRequest("request body too large");
  const buf = new Uint8Array(await req.arrayBuffer());
  if (buf.byteLength > MAX_FORM_BYTES) throw badRequest("request body too large");
  const text = new TextDecoder().decode(buf);
  const out: Record<string, string> = {};
  if ((req.headers.get("Content-Type") ?? "").includes("application/json")) {
    let j: unknown;
    try {
      j = JSON.parse(text || "{}");
    } catch {
      throw badRequest("invalid JSON body");
    }
    if (j && typeof j === "object") {
      for (const [k, v] of Object.entries(j)) if (typeof v === "string") out[k] = v;
    }
    return out;
  }
  for (const [k, v] of new URLSearchParams(text)) out[k] = v;
  return out;
}

function credentialsOf(form: Record<string, string>): Credentials | null {
  if (form.token) return { kind: "token", token: form.token.trim() };
  if (form.user && form.password) {
    return {
      kind: "password",
      tenant: (form.tenant ?? "").trim(),
      user: form.user.trim(),
      password: form.password,
    };
  }
  return null;
}

function connAddress(info?: ConnInfo): string {
  const a = info?.remoteAddr as { hostname?: string } | undefined;
  return a?.hostname ?? "unknown";
}

/**
 * The client's address: behind `hops` trusted proxies, the `X-Forwarded-For` entry the first
 * trusted proxy appended (entries further left are the client's own claims and are ignored).
 */
export function clientAddress(req: Request, info: ConnInfo | undefined, hops: number): string {
  if (hops <= 0) return connAddress(info);
  const list = (req.headers.get("x-forwarded-for") ?? "").split(",").map((s) => s.trim())
    .filter(Boolean);
  return list[list.length - hops] ?? connAddress(info);
}

/**
 * Creates the console handler.
 *
 * @example
 * ```ts
 * const app = createConsole(deps);
 * Deno.serve({ port: 8080 }, (req, info) => app.handle(req, info));
 * ```
 */
export function createConsole(deps: ConsoleDeps): Console {
  const api = createQueryApi(deps);
  const log = deps.logger;

  /** The live session of the request and its (still enabled) tenant, or null. */
  const sessionOf = (req: Request) => {
    const id = parseCookies(req.headers.get("Cookie")).get(SESSION_COOKIE);
    const s = deps.sessions.get(id);
    if (!s) return null;
    const tenant = deps.registry.get(s.tenantId);
    if (!tenant || !tenant.enabled) {
      // The tenant was disabled or removed since login: the session ends now.
      deps.sessions.destroy(s.id);
      return null;
    }
    return { session: s, tenant };
  };

  const cookieFor = (s: Session) =>
    sessionCookie(s.id, {
      secure: deps.secureCookie,
      maxAgeSeconds: Math.floor((s.expiresAt - Date.now()) / 1000),
    });
  const clearCookie = () => sessionCookie("", { secure: deps.secureCookie, maxAgeSeconds: 0 });

  const login = async (req: Request, info?: ConnInfo): Promise<Response> => {
    const form = await readForm(req);
    const creds = credentialsOf(form);
    const client = clientAddress(req, info, deps.trustedProxyHops ?? 0);
    const keys = [`ip:${client}`];
    if (creds?.kind === "password") keys.push(`user:${creds.tenant}/${creds.user}`);
    const limit = deps.loginLimiter.take(keys);
    if (!limit.ok) {
      log?.warn("login rate limited", { client });
      if (wantsJson(req)) throw tooManyRequests(limit.retryAfterSeconds);
      return redirect("/login?error=rate", 303, { "Retry-After": String(limit.retryAfterSeconds) });
    }
    const result = creds ? await deps.auth.login(creds) : null;
    if (!result) {
      log?.info("login failed", { client, method: creds?.kind ?? "none" });
      if (wantsJson(req)) {
        return json({ error: "invalid credentials", code: "unauthorized" }, 401);
      }
      return redirect("/login?error=invalid");
    }
    const s = deps.sessions.create(result);
    log?.info("login", { tenant: s.tenantId, method: s.method, user: s.user });
    const headers = { "Set-Cookie": cookieFor(s) };
    if (wantsJson(req)) return json({ tenant: s.tenantId, expiresAt: s.expiresAt }, 200, headers);
    return redirect("/", 303, headers);
  };

  const logout = (req: Request): Response => {
    const id = parseCookies(req.headers.get("Cookie")).get(SESSION_COOKIE);
    deps.sessions.destroy(id);
    const headers = { "Set-Cookie": clearCookie() };
    return wantsJson(req)
      ? new Response(null, { status: 204, headers })
      : redirect("/login", 303, headers);
  };

  const route = async (req: Request, info?: ConnInfo): Promise<Response> => {
    const url = new URL(req.url);
    const path = url.pathname;

    if (path === "/healthz") {
      return new Response("ok\n", { headers: { "Content-Type": "text/plain" } });
    }

    if (req.method === "POST") {
      // Only login and logout change state, and only from our own pages.
      if (!isSameOrigin(req, deps.allowedOrigins)) {
        return json({ error: "cross-origin request refused", code: "forbidden" }, 403);
      }
      if (path === "/login") return await login(req, info);
      if (path === "/logout") return logout(req);
      throw new ObstackError({ code: "not_found", message: "not found", status: 404 });
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return json({ error: "method not allowed", code: "method_not_allowed" }, 405, {
        Allow: "GET, HEAD, POST",
      });
    }

    const asset = deps.ui.get(path);
    if (asset && path.startsWith("/static/")) {
      return new Response(asset.body, {
        headers: { "Content-Type": asset.type, "Cache-Control": "no-cache" },
      });
    }
    if (path === "/login") {
      if (sessionOf(req)) return redirect("/", 302);
      const page = deps.ui.get("/login.html")!;
      return new Response(page.body, { headers: { "Content-Type": page.type } });
    }

    const ctx = sessionOf(req);
    if (path.startsWith("/api/")) {
      if (!ctx) return json({ error: "not logged in", code: "unauthorized" }, 401);
      if (path === "/api/session") {
        return json({
          tenant: { id: ctx.tenant.id, name: ctx.tenant.name },
          user: ctx.session.user ?? null,
          method: ctx.session.method,
          expiresAt: ctx.session.expiresAt,
          backends: {
            traces: deps.traces.backend,
            logs: deps.logs.backend,
            logsLanguage: deps.logs.language,
          },
        });
      }
      return await api(req, { id: ctx.tenant.id, numericId: ctx.tenant.numericId });
    }
    if (APP_PATHS.has(path)) {
      if (!ctx) return redirect("/login", 302);
      const page = deps.ui.get("/app.html")!;
      return new Response(page.body, { headers: { "Content-Type": page.type } });
    }
    return json({ error: "not found", code: "not_found" }, 404);
  };

  return {
    async handle(req, info) {
      let resp: Response;
      try {
        resp = await route(req, info);
      } catch (err) {
        if (!(err instanceof ObstackError)) {
          log?.error("request failed", { path: new URL(req.url).pathname, error: err });
        }
        resp = errorResponse(err);
      }
      return secure(resp);
    },
  };
}
