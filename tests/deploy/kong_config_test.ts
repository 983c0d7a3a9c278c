/**
 * kong/kong.yaml: structure by Debian's `deck validate -s` (decK 1.4.0), and what deck does
 * not check (INFRA.md) by this project's own tests: plugin names against Kong's bundled
 * plugins, plugin config keys and types against the plugins' documented fields, routes
 * against ingest's route table, the body limit against ingest's, TLS, and the Authorization
 * header left alone.
 *
 * Kong itself cannot run on the build machines (no package, no engine): these are static
 * checks, and docs/operations.md says so.
 */
import assert from "node:assert/strict";
import { ingestSchema } from "../../ingest/config.ts";
import { parseYaml, readRepoFile, requireTool, ROOT, runCommand } from "./_stack.ts";

// ---------------------------------------------------------------- Kong facts (documentation)

/**
 * Plugins bundled with Kong Gateway 3.9 (OSS): the `bundled` value of kong.conf's `plugins`
 * setting, as listed in Kong's documentation (plugin hub, "Kong Gateway OSS" plugins, and the
 * 3.8/3.9 changelogs for standard-webhooks and redirect). Written here by hand from the docs.
 */
const KONG_39_BUNDLED_PLUGINS = new Set([
  "acl",
  "acme",
  "ai-prompt-decorator",
  "ai-prompt-guard",
  "ai-prompt-template",
  "ai-proxy",
  "ai-request-transformer",
  "ai-response-transformer",
  "aws-lambda",
  "azure-functions",
  "basic-auth",
  "bot-detection",
  "correlation-id",
  "cors",
  "datadog",
  "file-log",
  "grpc-gateway",
  "grpc-web",
  "hmac-auth",
  "http-log",
  "ip-restriction",
  "jwt",
  "key-auth",
  "ldap-auth",
  "loggly",
  "oauth2",
  "opentelemetry",
  "post-function",
  "pre-function",
  "prometheus",
  "proxy-cache",
  "rate-limiting",
  "redirect",
  "request-size-limiting",
  "request-termination",
  "request-transformer",
  "response-ratelimiting",
  "response-transformer",
  "session",
  "standard-webhooks",
  "statsd",
  "syslog",
  "tcp-log",
  "udp-log",
  "zipkin",
]);

/** A documented config field: its type, and its allowed values or range where documented. */
type Field =
  | { type: "string" | "boolean" | "record" }
  | { type: "integer" | "number"; min?: number; max?: number }
  | { type: "enum"; values: readonly string[] };

/**
 * Config fields of the plugins this project uses, from each plugin's configuration reference
 * in Kong's documentation (Kong Gateway 3.9). Only these plugins may be used until their
 * fields are written down here.
 */
const PLUGIN_FIELDS: Record<string, Record<string, Field>> = {
  "correlation-id": {
    header_name: { type: "string" },
    generator: { type: "enum", values: ["uuid", "uuid#counter", "tracker"] },
    echo_downstream: { type: "boolean" },
  },
  "request-size-limiting": {
    allowed_payload_size: { type: "integer", min: 0 },
    size_unit: { type: "enum", values: ["megabytes", "kilobytes", "bytes"] },
    require_content_length: { type: "boolean" },
  },
  "rate-limiting": {
    second: { type: "number", min: 0 },
    minute: { type: "number", min: 0 },
    hour: { type: "number", min: 0 },
    day: { type: "number", min: 0 },
    month: { type: "number", min: 0 },
    year: { type: "number", min: 0 },
    limit_by: {
      type: "enum",
      values: ["consumer", "credential", "ip", "service", "header", "path", "consumer-group"],
    },
    header_name: { type: "string" },
    path: { type: "string" },
    policy: { type: "enum", values: ["local", "cluster", "redis"] },
    fault_tolerant: { type: "boolean" },
    hide_client_headers: { type: "boolean" },
    redis: { type: "record" },
    sync_rate: { type: "number" },
    error_code: { type: "number", min: 100, max: 599 },
    error_message: { type: "string" },
  },
  "request-termination": {
    status_code: { type: "integer", min: 100, max: 599 },
    message: { type: "string" },
    body: { type: "string" },
    content_type: { type: "string" },
    echo: { type: "boolean" },
    trigger: { type: "string" },
  },
  prometheus: {
    per_consumer: { type: "boolean" },
    status_code_metrics: { type: "boolean" },
    latency_metrics: { type: "boolean" },
    bandwidth_metrics: { type: "boolean" },
    upstream_health_metrics: { type: "boolean" },
    ai_metrics: { type: "boolean" },
  },
};

/** Keys a plugin entry may have besides its config (Kong 3.x plugin entity). */
const PLUGIN_ENTITY_KEYS = new Set([
  "name",
  "config",
  "enabled",
  "protocols",
  "tags",
  "instance_name",
  "ordering",
  "service",
  "route",
  "consumer",
]);

/** Plugins that read or change request headers such as Authorization, or authenticate. */
const AUTH_OR_HEADER_PLUGINS = new Set([
  "basic-auth",
  "key-auth",
  "jwt",
  "oauth2",
  "hmac-auth",
  "ldap-auth",
  "session",
  "acl",
  "request-transformer",
  "pre-function",
  "post-function",
  "ai-request-transformer",
]);

const ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

// ---------------------------------------------------------------- the file

interface Plugin {
  name: string;
  config?: Record<string, unknown>;
  [k: string]: unknown;
}
interface Route {
  name: string;
  paths?: string[];
  methods?: string[];
  protocols?: string[];
  strip_path?: boolean;
  plugins?: Plugin[];
  service?: string | { name: string };
}
interface Service {
  name: string;
  url: string;
  routes?: Route[];
  plugins?: Plugin[];
}
interface KongFile {
  _format_version: string;
  services?: Service[];
  routes?: Route[];
  plugins?: Plugin[];
}

const kong = parseYaml(await readRepoFile("kong/kong.yaml")) as KongFile;

/** Every route with the service it reaches (undefined: answered by Kong itself). */
function allRoutes(): { route: Route; service?: string }[] {
  const out: { route: Route; service?: string }[] = [];
  for (const s of kong.services ?? []) {
    for (const r of s.routes ?? []) out.push({ route: r, service: s.name });
  }
  for (const r of kong.routes ?? []) {
    const s = typeof r.service === "string" ? r.service : r.service?.name;
    out.push({ route: r, service: s });
  }
  return out;
}

/** Every plugin with where it applies. */
function allPlugins(): { plugin: Plugin; scope: string }[] {
  const out: { plugin: Plugin; scope: string }[] = [];
  for (const p of kong.plugins ?? []) out.push({ plugin: p, scope: "global" });
  for (const s of kong.services ?? []) {
    for (const p of s.plugins ?? []) out.push({ plugin: p, scope: `service:${s.name}` });
    for (const r of s.routes ?? []) {
      for (const p of r.plugins ?? []) out.push({ plugin: p, scope: `route:${r.name}` });
    }
  }
  for (const r of kong.routes ?? []) {
    for (const p of r.plugins ?? []) out.push({ plugin: p, scope: `route:${r.name}` });
  }
  return out;
}

/** Whether a Kong path (prefix, or `~regex`) matches a request path. */
function pathMatches(kongPath: string, path: string): boolean {
  if (kongPath.startsWith("~")) return new RegExp(`^${kongPath.slice(1)}`).test(path);
  return path.startsWith(kongPath);
}

function routeMatches(r: Route, method: string, path: string): boolean {
  const methodOk = !r.methods || r.methods.includes(method);
  return methodOk && (r.paths ?? []).some((p) => pathMatches(p, path));
}

/** The plugin entries of a route's own list. */
function routePlugins(r: Route): string[] {
  return (r.plugins ?? []).map((p) => p.name);
}

/** ingest/routes.ts, when the ingest service has published it. */
async function ingestRoutes(): Promise<{
  PUBLIC_ROUTES: readonly { path: string; methods: readonly string[] }[];
  ADMIN_PATHS: readonly string[];
}> {
  const path = `${ROOT}/ingest/routes.ts`;
  try {
    await Deno.stat(path);
  } catch {
    throw new Error(
      "ingest/routes.ts is missing: it must export PUBLIC_ROUTES (and ADMIN_PATHS), the " +
        "table kong/kong.yaml is checked against",
    );
  }
  return await import(path);
}

// ---------------------------------------------------------------- tests

Deno.test("deck validate -s accepts kong/kong.yaml", async () => {
  const deck = await requireTool("deck", "deck");
  const r = await runCommand(deck, ["validate", "-s", "kong/kong.yaml"], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

Deno.test("deck validate -s rejects an unknown route field (the check can fail)", async () => {
  const deck = await requireTool("deck", "deck");
  const text = await readRepoFile("kong/kong.yaml");
  const broken = text.replace("strip_path: false", "strip_path: false\n        strip_paths: true");
  assert.notEqual(broken, text);
  const file = await Deno.makeTempFile({ suffix: ".yaml" });
  try {
    await Deno.writeTextFile(file, broken);
    const r = await runCommand(deck, ["validate", "-s", file], { timeoutMs: 60_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /strip_paths/);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("kong.yaml uses the 3.0 declarative format and unique names", () => {
  assert.equal(kong._format_version, "3.0");
  const names = allRoutes().map((r) => r.route.name);
  assert.equal(new Set(names).size, names.length, "route names must be unique");
  const services = (kong.services ?? []).map((s) => s.name);
  assert.equal(new Set(services).size, services.length, "service names must be unique");
  for (const { route, service } of allRoutes()) {
    if (service !== undefined) assert.ok(services.includes(service), `${route.name} → ${service}`);
  }
});

Deno.test("kong.yaml uses only plugins bundled with Kong 3.9, with their documented fields", () => {
  for (const { plugin, scope } of allPlugins()) {
    const where = `${plugin.name} (${scope})`;
    assert.ok(KONG_39_BUNDLED_PLUGINS.has(plugin.name), `${where}: not a bundled Kong plugin`);
    for (const k of Object.keys(plugin)) assert.ok(PLUGIN_ENTITY_KEYS.has(k), `${where}: ${k}`);
    const fields = PLUGIN_FIELDS[plugin.name];
    assert.ok(fields, `${where}: its fields are not written down in this test`);
    for (const [key, value] of Object.entries(plugin.config ?? {})) {
      const f: Field | undefined = fields[key];
      assert.ok(f, `${where}: unknown config field ${key}`);
      switch (f.type) {
        case "string":
          assert.equal(typeof value, "string", `${where}.${key}`);
          break;
        case "boolean":
          assert.equal(typeof value, "boolean", `${where}.${key}`);
          break;
        case "record":
          assert.ok(value && typeof value === "object", `${where}.${key}`);
          break;
        case "enum":
          assert.ok(f.values.includes(value as string), `${where}.${key}: ${value}`);
          break;
        case "integer":
        case "number": {
          assert.equal(typeof value, "number", `${where}.${key}`);
          if (f.type === "integer") assert.ok(Number.isInteger(value), `${where}.${key}`);
          const n = value as number;
          if (f.min !== undefined) assert.ok(n >= f.min, `${where}.${key} < ${f.min}`);
          if (f.max !== undefined) assert.ok(n <= f.max, `${where}.${key} > ${f.max}`);
        }
      }
    }
    // Rules from the plugins' docs that a field list cannot express.
    const c = plugin.config ?? {};
    if (plugin.name === "rate-limiting") {
      assert.ok(
        ["second", "minute", "hour", "day", "month", "year"].some((p) => p in c),
        `${where}: needs at least one limit`,
      );
      // DB-less Kong has no database for the cluster policy, and no Redis runs here.
      assert.equal(c.policy, "local", `${where}: DB-less Kong needs policy local`);
    }
    if (plugin.name === "request-termination" && "message" in c) {
      assert.ok(!("body" in c) && !("content_type" in c), `${where}: message excludes body`);
    }
  }
});

Deno.test("every public ingest path has a POST route that keeps the path, and nothing else reaches ingest", async () => {
  const { PUBLIC_ROUTES, ADMIN_PATHS } = await ingestRoutes();
  assert.ok(PUBLIC_ROUTES.length > 0);
  const toIngest = allRoutes().filter((r) => r.service === "ingest").map((r) => r.route);
  for (const pub of PUBLIC_ROUTES) {
    for (const method of pub.methods) {
      const hits = toIngest.filter((r) => routeMatches(r, method, pub.path));
      assert.equal(hits.length, 1, `${method} ${pub.path}: ${hits.length} ingest routes`);
      assert.equal(hits[0]!.strip_path, false, `${hits[0]!.name}: the path must be kept`);
    }
  }
  // Nothing but the public paths, with their methods, reaches ingest.
  const probes = [
    ...PUBLIC_ROUTES.flatMap((p) => [p.path + "/x", p.path + "x", p.path.toUpperCase()]),
    ...ADMIN_PATHS,
    "/",
    "/v1",
    "/api/v1/query",
    "/api/v1/read",
  ];
  for (const r of toIngest) {
    for (const method of r.methods ?? ALL_METHODS) {
      const pub = PUBLIC_ROUTES.find((p) => routeMatches(r, method, p.path));
      assert.ok(pub?.methods.includes(method), `${r.name} lets ${method} through`);
    }
    for (const method of ALL_METHODS) {
      for (const path of probes) {
        assert.ok(!routeMatches(r, method, path), `${r.name} routes ${method} ${path} to ingest`);
      }
    }
    assert.ok(r.methods && r.methods.length > 0, `${r.name} must list its methods`);
  }
  // Other methods on the public paths are answered by Kong (405), not by the console.
  for (const pub of PUBLIC_ROUTES) {
    for (const method of ALL_METHODS.filter((m) => !pub.methods.includes(m))) {
      const r = allRoutes().find((x) =>
        x.service === undefined && routeMatches(x.route, method, pub.path)
      );
      assert.ok(r, `${method} ${pub.path} has no answer`);
      assert.ok(r.route.methods?.includes(method), `${r.route.name} must list ${method}`);
      assert.deepEqual(routePlugins(r.route), ["request-termination"]);
    }
  }
});

/**
 * The route Kong picks for a request, in a simplified model of its router that is enough for
 * this file: among matching routes, one that lists methods outranks one that does not (more
 * matching attributes); this file never has two candidates of the same rank.
 */
function answeringRoute(method: string, path: string): { route: Route; service?: string } {
  const matching = allRoutes().filter((r) => routeMatches(r.route, method, path));
  const withMethods = matching.filter((r) => r.route.methods?.includes(method));
  const pick = withMethods.length > 0 ? withMethods : matching;
  assert.equal(pick.length, 1, `${method} ${path}: ${pick.map((r) => r.route.name)}`);
  return pick[0]!;
}

Deno.test("health endpoints are answered by Kong itself, never by a service", async () => {
  const { ADMIN_PATHS } = await ingestRoutes();
  for (const path of ["/healthz", "/readyz"]) {
    for (const method of ALL_METHODS) {
      const r = answeringRoute(method, path);
      assert.equal(r.service, undefined, `${method} ${path} reaches ${r.service}`);
      assert.deepEqual(routePlugins(r.route), ["request-termination"]);
    }
  }
  // ingest's operator endpoints (/metrics too) have no route to ingest.
  for (const path of ADMIN_PATHS) {
    for (const method of ALL_METHODS) {
      assert.notEqual(answeringRoute(method, path).service, "ingest", `${method} ${path}`);
    }
  }
});

Deno.test("the console's pages and API reach the console through Kong", () => {
  // /metrics is the console's Metrics page, not a metrics endpoint: it must not be blocked.
  for (
    const path of [
      "/",
      "/login",
      "/metrics",
      "/traces",
      "/logs",
      "/search",
      "/api/session",
      "/static/app.js",
    ]
  ) {
    assert.equal(answeringRoute("GET", path).service, "console", `GET ${path}`);
  }
  for (const path of ["/login", "/logout"]) {
    assert.equal(answeringRoute("POST", path).service, "console", `POST ${path}`);
  }
});

Deno.test("Kong's body limit for ingest equals ingest's OBSTACK_INGEST_MAX_BODY_BYTES default", () => {
  const ingest = (kong.services ?? []).find((s) => s.name === "ingest")!;
  const limits = (ingest.plugins ?? []).filter((p) => p.name === "request-size-limiting");
  assert.equal(limits.length, 1, "ingest needs exactly one request-size-limiting");
  const c = limits[0]!.config!;
  const unit = { bytes: 1, kilobytes: 1024, megabytes: 1024 * 1024 }[
    (c.size_unit as "bytes" | "kilobytes" | "megabytes" | undefined) ?? "megabytes"
  ];
  assert.equal((c.allowed_payload_size as number) * unit, ingestSchema.maxBodyBytes.defaultValue);
  // No route plugin overrides it with another limit.
  for (const r of ingest.routes ?? []) {
    assert.ok(!routePlugins(r).includes("request-size-limiting"), r.name);
  }
});

Deno.test("Authorization reaches ingest untouched; correlation id and a coarse rate limit apply", () => {
  const ingestRouteNames = new Set(
    ((kong.services ?? []).find((s) => s.name === "ingest")?.routes ?? []).map((r) =>
      `route:${r.name}`
    ),
  );
  const applies = (scope: string) =>
    scope === "global" || scope === "service:ingest" || ingestRouteNames.has(scope);
  const onIngest = allPlugins().filter((p) => applies(p.scope));
  for (const { plugin, scope } of onIngest) {
    assert.ok(!AUTH_OR_HEADER_PLUGINS.has(plugin.name), `${plugin.name} (${scope}) on ingest`);
  }
  assert.doesNotMatch(JSON.stringify(kong), /authorization/i, "nothing names Authorization");
  const corr = onIngest.find((p) => p.plugin.name === "correlation-id");
  assert.ok(corr, "correlation-id must apply to ingest");
  assert.equal(corr.plugin.config?.echo_downstream, true, "the client gets the id back");
  const rl = onIngest.filter((p) => p.plugin.name === "rate-limiting");
  assert.equal(rl.length, 1, "one coarse rate limit on ingest");
  assert.equal(rl[0]!.plugin.config?.limit_by, "ip");
});

Deno.test("every route is https only", () => {
  for (const { route } of allRoutes()) {
    assert.deepEqual(route.protocols, ["https"], `${route.name}: protocols`);
  }
});
