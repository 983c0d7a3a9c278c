import assert from "node:assert/strict";
import { describeSettings } from "../lib/config/mod.ts";
import { consoleSchema, loadConsoleConfig } from "./config.ts";

Deno.test("loadConsoleConfig() defaults to port 8080, Jaeger and VictoriaLogs", () => {
  const cfg = loadConsoleConfig({});
  assert.equal(cfg.listen.port, 8080);
  assert.equal(cfg.listen.hostname, "0.0.0.0");
  assert.equal(cfg.tracesBackend, "jaeger");
  assert.equal(cfg.logsBackend, "victorialogs");
  assert.equal(cfg.secureCookie, false);
  assert.equal(cfg.sessionTtlMs, 8 * 3600_000);
  assert.deepEqual(cfg.allowedOrigins, []);
});

Deno.test("loadConsoleConfig() takes backends and URLs from the environment", () => {
  const cfg = loadConsoleConfig({
    OBSTACK_CONSOLE_TRACES_BACKEND: "tempo",
    OBSTACK_CONSOLE_TRACES_URL: "http://tempo:3200",
    OBSTACK_CONSOLE_LOGS_BACKEND: "loki",
    OBSTACK_CONSOLE_LOGS_URL: "http://loki:3100",
    OBSTACK_CONSOLE_SECURE_COOKIE: "true",
    OBSTACK_CONSOLE_SESSION_TTL: "30m",
  });
  assert.equal(cfg.tracesBackend, "tempo");
  assert.equal(cfg.logsBackend, "loki");
  assert.match(cfg.tracesUrl, /^http:\/\/tempo:3200/);
  assert.equal(cfg.secureCookie, true);
  assert.equal(cfg.sessionTtlMs, 30 * 60_000);
});

Deno.test("loadConsoleConfig() names the setting of an invalid value", () => {
  assert.throws(
    () => loadConsoleConfig({ OBSTACK_CONSOLE_LOGS_BACKEND: "elastic" }),
    /OBSTACK_CONSOLE_LOGS_BACKEND/,
  );
  assert.throws(
    () => loadConsoleConfig({ OBSTACK_CONSOLE_PROMETHEUS_URL: "not a url" }),
    /OBSTACK_CONSOLE_PROMETHEUS_URL/,
  );
  assert.throws(
    () => loadConsoleConfig({ OBSTACK_CONSOLE_SESSION_TTL: "5s" }),
    /OBSTACK_CONSOLE_SESSION_TTL/,
  );
});

Deno.test("describeSettings(consoleSchema) documents every setting", () => {
  const rows = describeSettings(consoleSchema);
  assert.ok(rows.every((r) => r.env.startsWith("OBSTACK_") && r.description.length > 10));
  assert.ok(rows.some((r) => r.env === "OBSTACK_CONSOLE_LISTEN" && r.default === "0.0.0.0:8080"));
});
