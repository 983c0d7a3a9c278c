import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { createLogger, isLogLevel } from "./logger.ts";

function capture(level?: "debug" | "info" | "warn" | "error") {
  const lines: string[] = [];
  const log = createLogger("svc", { level, sink: (l) => lines.push(l) });
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l)) };
}

Deno.test("createLogger() writes one JSON object per line with ts, level, service, msg and fields", () => {
  const { log, lines, parsed } = capture();
  log.info("hello", { tenant: "acme", n: 3 });
  strictEqual(lines.length, 1);
  strictEqual(lines[0]!.includes("\n"), false);
  const o = parsed()[0];
  strictEqual(o.level, "info");
  strictEqual(o.service, "svc");
  strictEqual(o.msg, "hello");
  strictEqual(o.tenant, "acme");
  strictEqual(o.n, 3);
  // RFC 3339 UTC timestamp with milliseconds.
  strictEqual(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(o.ts), true);
});

Deno.test("createLogger() drops lines below the configured level", () => {
  const { log, parsed } = capture("warn");
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  deepStrictEqual(parsed().map((o) => o.level), ["warn", "error"]);
});

Deno.test("child() adds its fields to every line and fields cannot overwrite reserved keys", () => {
  const { log, parsed } = capture("debug");
  const c = log.child({ request_id: "r1" }).child({ tenant: "t" });
  c.debug("x", { level: "fake", msg: "fake" });
  const o = parsed()[0];
  strictEqual(o.request_id, "r1");
  strictEqual(o.tenant, "t");
  strictEqual(o.level, "debug");
  strictEqual(o.msg, "x");
  strictEqual(o.field_level, "fake");
});

Deno.test("the logger serialises errors, cycles and BigInt safely", () => {
  const { log, parsed } = capture();
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const err = new Error("outer", { cause: new Error("inner") });
  log.error("boom", { err, cyclic, big: 10n });
  const o = parsed()[0];
  strictEqual(o.err.message, "outer");
  strictEqual(o.err.cause.message, "inner");
  strictEqual(typeof o.err.stack, "string");
  strictEqual(o.cyclic.self, "[circular]");
  strictEqual(o.big, "10");
});

Deno.test("the logger never throws, even when a field or the sink throws", () => {
  const { log, parsed } = capture();
  const evil = {
    toJSON() {
      throw new Error("nope");
    },
  };
  log.info("kept", { evil });
  const o = parsed()[0];
  strictEqual(o.msg, "kept");
  strictEqual(typeof o.log_error, "string");
  const broken = createLogger("svc", {
    sink: () => {
      throw new Error("closed");
    },
  });
  broken.error("still fine");
});

Deno.test("isLogLevel() accepts only the four levels", () => {
  strictEqual(isLogLevel("warn"), true);
  strictEqual(isLogLevel("trace"), false);
  strictEqual(isLogLevel("toString"), false);
});
