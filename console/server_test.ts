import assert from "node:assert/strict";
import {
  createTenantRegistry,
  hashPassword,
  hashToken,
  type TenantRegistry,
  writeTenantsFile,
} from "../lib/tenant/mod.ts";
import { createAuthenticator } from "./auth.ts";
import type { LogReader } from "./logs/log_reader.ts";
import type { PrometheusReader } from "./metrics/prometheus_reader.ts";
import { createConsole } from "./server.ts";
import { createLoginLimiter, createSessionStore, SESSION_COOKIE } from "./session/mod.ts";
import type { TenantScope, TraceReader } from "./traces/trace_reader.ts";
import { loadUiAssets } from "./ui/assets.ts";

const TOKEN_A = "obs_tokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const TOKEN_B = "obs_tokenBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
const ORIGIN = "http://console.test";

/** Readers that answer with the tenant they were asked for, so a test can see who was asked. */
function echoReaders(seen: TenantScope[]) {
  const prometheus: PrometheusReader = {
    queryRange: (t, q) => {
      seen.push(t);
      return Promise.resolve({
        resultType: "matrix",
        result: [],
        scopedQuery: `${t.id}:${q.query}`,
      });
    },
    query: (t) => {
      seen.push(t);
      return Promise.resolve({ resultType: "vector", result: [], scopedQuery: t.id });
    },
    metricNames: (t) => {
      seen.push(t);
      return Promise.resolve([`${t.id}_metric`]);
    },
  };
  const traces: TraceReader = {
    backend: "jaeger",
    services: (t) => Promise.resolve([`${t.id}-svc`]),
    search: () => Promise.resolve([]),
    get: (t, id) => {
      seen.push(t);
      return Promise.resolve({
        traceId: id.padStart(32, "0"),
        spans: [
          {
            spanId: "0000000000000001",
            name: "own",
            service: "s",
            startUs: 1,
            durationUs: 1,
            status: "unset" as const,
            attributes: {},
            resource: { tenant_id: t.id },
            events: [],
          },
          {
            spanId: "0000000000000002",
            name: "foreign",
            service: "s",
            startUs: 1,
            durationUs: 1,
            status: "unset" as const,
            attributes: {},
            resource: { tenant_id: "someone-else" },
            events: [],
          },
        ],
      });
    },
  };
  const logs: LogReader = {
    backend: "victorialogs",
    language: "LogsQL",
    query: (t) => {
      seen.push(t);
      return Promise.resolve([]);
    },
    labelValues: () => Promise.resolve([]),
  };
  const search = {
    search: (t: TenantScope) => {
      seen.push(t);
      return Promise.resolve({ total: 0, totalExact: true, hits: [] });
    },
  };
  return { prometheus, traces, logs, search };
}

async function setup(opts: { attemptsPerMinute?: number; ttlMs?: number } = {}) {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/tenants.yaml`;
  const rec = async (id: string, numericId: number, token: string, enabled = true) => ({
    id,
    numericId,
    name: `Tenant ${id}`,
    enabled,
    tokens: [{
      id: "t1",
      hash: await hashToken(token),
      created: "2025-01-01T00:00:00Z",
      revoked: false,
    }],
    limits: {},
    users: [{ name: "ann", passwordHash: await hashPassword("correct horse", 1000) }],
  });
  await writeTenantsFile(path, {
    tenants: [await rec("tenant-a", 1, TOKEN_A), await rec("tenant-b", 2, TOKEN_B)],
  });
  const registry: TenantRegistry = await createTenantRegistry({ path, pollIntervalMs: 0 });
  const seen: TenantScope[] = [];
  const sessions = createSessionStore({ ttlMs: opts.ttlMs ?? 3600_000 });
  const app = createConsole({
    registry,
    auth: createAuthenticator({ registry, tenantsFile: path }),
    sessions,
    loginLimiter: createLoginLimiter({ attemptsPerMinute: opts.attemptsPerMinute ?? 100 }),
    ui: await loadUiAssets(),
    secureCookie: false,
    allowedOrigins: [],
    ...echoReaders(seen),
  });
  const call = (path: string, init: RequestInit = {}, ip = "10.0.0.1") =>
    app.handle(new Request(ORIGIN + path, init), { remoteAddr: { hostname: ip } });
  const cleanup = async () => {
    registry.close();
    await Deno.remove(dir, { recursive: true });
  };
  return { app, call, seen, sessions, registry, path, cleanup };
}

function cookieOf(resp: Response): string {
  const sc = resp.headers.get("Set-Cookie") ?? "";
  const m = new RegExp(`${SESSION_COOKIE}=([^;]*)`).exec(sc);
  assert.ok(m, `no session cookie in ${sc}`);
  return `${SESSION_COOKIE}=${m[1]}`;
}

const formPost = (body: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, ...headers },
  body: new URLSearchParams(body).toString(),
});

Deno.test("console: no cookie → the app redirects to /login and the API answers 401", async () => {
  const t = await setup();
  try {
    const page = await t.call("/metrics");
    assert.equal(page.status, 302);
    assert.equal(page.headers.get("Location"), "/login");
    const apiResp = await t.call("/api/metrics/names");
    assert.equal(apiResp.status, 401);
    assert.equal((await apiResp.json()).code, "unauthorized");
    const login = await t.call("/login");
    assert.equal(login.status, 200);
    assert.match(await login.text(), /<form id="form-token"/);
    assert.match(login.headers.get("Content-Security-Policy") ?? "", /script-src 'self'/);
  } finally {
    await t.cleanup();
  }
});

Deno.test("console: token login sets an HttpOnly SameSite=Strict cookie and opens the app", async () => {
  const t = await setup();
  try {
    const resp = await t.call("/login", formPost({ token: TOKEN_A }));
    assert.equal(resp.status, 303);
    assert.equal(resp.headers.get("Location"), "/");
    const sc = resp.headers.get("Set-Cookie") ?? "";
    assert.match(sc, /HttpOnly/);
    assert.match(sc, /SameSite=Strict/);
    const cookie = cookieOf(resp);
    const app = await t.call("/traces", { headers: { Cookie: cookie } });
    assert.equal(app.status, 200);
    assert.match(await app.text(), /id="view"/);
    const who = await (await t.call("/api/session", { headers: { Cookie: cookie } })).json();
    assert.equal(who.tenant.id, "tenant-a");
    assert.equal(who.method, "token");
  } finally {
    await t.cleanup();
  }
});

Deno.test("console: a wrong token is refused without a session", async () => {
  const t = await setup();
  try {
    const resp = await t.call("/login", formPost({ token: "obs_wrong" }));
    assert.equal(resp.status, 303);
    assert.equal(resp.headers.get("Location"), "/login?error=invalid");
    assert.equal(resp.headers.get("Set-Cookie"), null);
    const j = await t.call("/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN },
      body: JSON.stringify({ token: "obs_wrong" }),
    });
    assert.equal(j.status, 401);
    assert.equal(t.sessions.size(), 0);
  } finally {
    await t.cleanup();
  }
});

Deno.test("console: user/password login opens the user's tenant only", async () => {
  const t = await setup();
  try {
    const bad = await t.call(
      "/login",
      formPost({ tenant: "tenant-b", user: "ann", password: "nope" }),
    );
    assert.equal(bad.headers.get("Location"), "/login?error=invalid");
    const ghost = await t.call(
      "/login",
      formPost({ tenant: "tenant-b", user: "bob", password: "x" }),
    );
    assert.equal(ghost.headers.get("Location"), "/login?error=invalid");
    const ok = await t.call(
      "/login",
      formPost({ tenant: "tenant-b", user: "ann", password: "correct horse" }),
    );
    assert.equal(ok.status, 303);
    const who = await (await t.call("/api/session", { headers: { Cookie: cookieOf(ok) } })).json();
    assert.equal(who.tenant.id, "tenant-b");
    assert.equal(who.user, "ann");
  } finally {
    await t.cleanup();
  }
});

Deno.test("console: a tampered cookie gets 401", async () => {
  const t = await setup();
  try {
    const cookie = cookieOf(await t.call("/login", formPost({ token: TOKEN_A })));
    const id = cookie.split("=")[1]!;
    const tampered = `${SESSION_COOKIE}=${id.slice(0, -1)}${id.endsWith("A") ? "B" : "A"}`;
    assert.equal((await t.call("/api/session", { headers: { Cookie: tampered } })).status, 401);
    assert.equal(
      (await t.call("/api/session", { headers: { Cookie: `${SESSION_COOKIE}=x` } })).status,
      401,
    );
    assert.equal((await t.call("/logs", { headers: { Cookie: tampered } })).status, 302);
  } finally {
    await t.cleanup();
  }
});

Deno.test("console: logout invalidates the session, even if the cookie is replayed", async () => {
  const t = await setup();
  try {
    const cookie = cookieOf(await t.call("/login", formPost({ token: TOKEN_A })));
    assert.equal((await t.call("/api/session", { headers: { Cookie: cookie } })).status, 200);
    const out = await t.call("/logout", formPost({}, { Cookie: cookie }));
    assert.equal(out.status, 303);
    assert.match(out.headers.get("Set-Cookie") ?? "", /Max-Age=0/);
    assert.equal((await t.call("/api/session", { headers: { Cookie: cookie } })).status, 401);
  } finally {
    await t.cleanup();
  }
});

Deno.test("console: sessions expire", async () => {
  const t = await setup({ ttlMs: 50 });
  try {
    const cookie = cookieOf(await t.call("/login", formPost({ token: TOKEN_A })));
    const deadline = Date.now() + 2000;
    while ((await t.call("/api/session", { headers: { Cookie: cookie } })).status === 200) {
      assert.ok(Date.now() < deadline, "session never expired");
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await t.cleanup();
  }
});

Deno.test("console: POST from another origin, or with no origin, is refused (CSRF)", async () => {
  const t = await setup();
  try {
    const evil = await t.call(
      "/login",
      formPost({ token: TOKEN_A }, { Origin: "http://evil.example" }),
    );
    assert.equal(evil.status, 403);
    const none = await t.call("/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `token=${TOKEN_A}`,
    });
    assert.equal(none.status, 403);
    assert.equal(t.sessions.size(), 0);
    // GET never changes state: a GET to /logout is not a logout.
    const cookie = cookieOf(await t.call("/login", formPost({ token: TOKEN_A })));
    await t.call("/logout", { headers: { Cookie: cookie } });
    assert.equal((await t.call("/api/session", { headers: { Cookie: cookie } })).status, 200);
  } finally {
    await t.cleanup();
  }
});

Deno.test("console: login attempts are rate limited per client address", async () => {
  const t = await setup({ attemptsPerMinute: 3 });
  try {
    for (let i = 0; i < 3; i++) {
      const r = await t.call("/login", formPost({ token: "obs_wrong" }), "10.9.9.9");
      assert.equal(r.headers.get("Location"), "/login?error=invalid");
    }
    const limited = await t.call("/login", formPost({ token: TOKEN_A }), "10.9.9.9");
    assert.equal(limited.headers.get("Location"), "/login?error=rate");
    assert.ok(Number(limited.headers.get("Retry-After")) >= 1);
    // another address is not affected
    const other = await t.call("/login", formPost({ token: TOKEN_A }), "10.1.1.1");
    assert.equal(other.headers.get("Location"), "/");
  } finally {
    await t.cleanup();
  }
});

Deno.test("console: the API uses the session's tenant whatever the request says", async () => {
  const t = await setup();
  try {
    const cookie = cookieOf(await t.call("/login", formPost({ token: TOKEN_A })));
    const hostile = {
      headers: {
        Cookie: cookie,
        "X-Scope-OrgID": "tenant-b",
        AccountID: "2",
        "X-Tenant": "tenant-b",
      },
    };
    const paths = [
      "/api/metrics/query_range?query=up&tenant=tenant-b&tenant_id=tenant-b",
      "/api/metrics/names?tenant=tenant-b",
      "/api/logs?tenant=tenant-b&AccountID=2",
      "/api/search?q=x&index=logs-tenant-b-*&tenant=tenant-b",
      "/api/traces/abc?tenant=tenant-b",
    ];
    for (const p of paths) {
      const r = await t.call(p, hostile);
      assert.equal(r.status, 200, `${p}: ${await r.clone().text()}`);
    }
    assert.ok(t.seen.length >= paths.length);
    assert.ok(
      t.seen.every((s) => s.id === "tenant-a" && s.numericId === 1),
      JSON.stringify(t.seen),
    );
  } finally {
    await t.cleanup();
  }
});

Deno.test("console: spans labelled with another tenant are dropped from a trace", async () => {
  const t = await setup();
  try {
    const cookie = cookieOf(await t.call("/login", formPost({ token: TOKEN_A })));
    const r = await (await t.call("/api/traces/abc", { headers: { Cookie: cookie } })).json();
    assert.deepEqual(r.trace.spans.map((s: { name: string }) => s.name), ["own"]);
  } finally {
    await t.cleanup();
  }
});

Deno.test("console: a disabled tenant's session ends at its next request", async () => {
  const t = await setup();
  try {
    const cookie = cookieOf(await t.call("/login", formPost({ token: TOKEN_A })));
    const text = await Deno.readTextFile(t.path);
    const { parseTenantsFile } = await import("../lib/tenant/mod.ts");
    const file = parseTenantsFile(text);
    file.tenants[0]!.enabled = false;
    await writeTenantsFile(t.path, file);
    await t.registry.reload();
    assert.equal((await t.call("/api/session", { headers: { Cookie: cookie } })).status, 401);
    assert.equal(t.sessions.size(), 0);
  } finally {
    await t.cleanup();
  }
});

Deno.test("console: static UI files are served with security headers and no inline script", async () => {
  const t = await setup();
  try {
    const js = await t.call("/static/app.js");
    assert.equal(js.status, 200);
    assert.match(js.headers.get("Content-Type") ?? "", /javascript/);
    assert.equal(js.headers.get("X-Content-Type-Options"), "nosniff");
    for (const page of ["/login.html", "/app.html"]) {
      const html = new TextDecoder().decode((await loadUiAssets()).get(page)!.body);
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${page} has an inline script`);
      assert.doesNotMatch(html, /https?:\/\//, `${page} references an external URL`);
    }
  } finally {
    await t.cleanup();
  }
});

Deno.test("clientAddress() trusts X-Forwarded-For only as far as the configured proxy hops", async () => {
  const { clientAddress } = await import("./server.ts");
  const info = { remoteAddr: { hostname: "10.0.0.5" } };
  const req = new Request("http://console/login", {
    headers: { "x-forwarded-for": "6.6.6.6, 203.0.113.7" },
  });
  // No trusted proxy: the header is the client's own claim and is ignored.
  assert.equal(clientAddress(req, info, 0), "10.0.0.5");
  // Behind Kong (one hop): the address Kong appended, not what the client forged before it.
  assert.equal(clientAddress(req, info, 1), "203.0.113.7");
  assert.equal(clientAddress(new Request("http://console/login"), info, 1), "10.0.0.5");
});
