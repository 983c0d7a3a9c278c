import assert from "node:assert/strict";
import { NATIVE_PORTS, serviceEnv, stackLayout } from "./stack.ts";

Deno.test("stackLayout() puts state under OBSTACK_STATE_DIR and shifts every port by OBSTACK_PORT_OFFSET", () => {
  const l = stackLayout({ OBSTACK_STATE_DIR: "/tmp/s", OBSTACK_PORT_OFFSET: "30000" });
  assert.equal(l.runDir, "/tmp/s/run");
  assert.equal(l.tenantsFile, "/tmp/s/tenants.yaml");
  for (const [k, v] of Object.entries(NATIVE_PORTS)) {
    assert.equal(l.ports[k as keyof typeof NATIVE_PORTS], v + 30000, k);
  }
});

Deno.test("stackLayout() defaults to .obstack in the repository and the brief's ports", () => {
  const l = stackLayout({});
  assert.ok(l.stateDir.endsWith("/.obstack"));
  assert.equal(l.ports.ingest, 4318);
  assert.equal(l.ports.kafka, 19092);
  assert.equal(l.ports.jaegerRemoteStorage, 17271);
});

Deno.test("stackLayout() rejects an invalid OBSTACK_PORT_OFFSET, naming the setting", () => {
  for (const bad of ["-1", "abc", "1.5", "50000"]) {
    assert.throws(() => stackLayout({ OBSTACK_PORT_OFFSET: bad }), /OBSTACK_PORT_OFFSET/, bad);
  }
});

Deno.test("serviceEnv() points the services at this stack's ports", () => {
  const env = serviceEnv(stackLayout({ OBSTACK_STATE_DIR: "/tmp/s", OBSTACK_PORT_OFFSET: "100" }));
  assert.equal(env.OBSTACK_KAFKA_BROKERS, "127.0.0.1:19192");
  assert.equal(env.OBSTACK_PROMETHEUS_URL, "http://127.0.0.1:19190/api/v1/write");
  assert.equal(env.OBSTACK_TRACES_ENDPOINT, "127.0.0.1:17371");
  assert.equal(env.OBSTACK_LOKI_URL, "http://127.0.0.1:19528/insert/loki/api/v1/push");
  assert.equal(env.OBSTACK_TENANTS_FILE, "/tmp/s/tenants.yaml");
  assert.equal(env.OBSTACK_INGEST_LISTEN, "0.0.0.0:4418");
});
