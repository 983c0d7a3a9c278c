import assert from "node:assert/strict";
import { instructions, parseMode } from "./up.ts";
import { stackLayout } from "./infra/stack.ts";

Deno.test("parseMode() reads --mode=…, --mode …, defaults to auto and rejects anything else", () => {
  assert.equal(parseMode([]), "auto");
  assert.equal(parseMode(["--mode=native"]), "native");
  assert.equal(parseMode(["--mode", "compose"]), "compose");
  assert.throws(() => parseMode(["--mode=docker"]), /--mode: expected native, compose or auto/);
});

Deno.test("instructions() print the endpoint, the token, a curl call with it and a Collector exporter", () => {
  const l = stackLayout({ OBSTACK_STATE_DIR: "/tmp/s", OBSTACK_PORT_OFFSET: "0" });
  const token = "obs_" + "A".repeat(43);
  const text = instructions(l, token, "native");
  assert.ok(text.includes("http://127.0.0.1:4318"));
  assert.ok(text.includes(`-H 'Authorization: Bearer ${token}'`));
  assert.ok(text.includes("curl -sS -i -X POST http://127.0.0.1:4318/v1/logs"));
  assert.ok(text.includes("    otlphttp:\n      endpoint: http://127.0.0.1:4318"));
  // The curl body is valid OTLP JSON.
  const body = text.match(/-d '(.+)'/)![1]!;
  assert.equal(
    JSON.parse(body).resourceLogs[0].scopeLogs[0].logRecords[0].body.stringValue,
    "hello from curl",
  );
});
