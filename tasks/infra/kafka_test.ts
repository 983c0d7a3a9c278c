import assert from "node:assert/strict";
import { kafkaClusterId, kafkaServerProperties } from "./kafka.ts";

Deno.test("kafkaServerProperties() configures one KRaft node on the given ports with creation off", () => {
  const text = kafkaServerProperties({ port: 29092, controllerPort: 29093, logDirs: "/d/kraft" });
  const props = new Map(
    text.split("\n").filter((l) => l.includes("=")).map((
      l,
    ) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  assert.equal(props.get("process.roles"), "broker,controller");
  assert.equal(props.get("controller.quorum.voters"), "1@127.0.0.1:29093");
  assert.equal(props.get("listeners"), "PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093");
  assert.equal(props.get("advertised.listeners"), "PLAINTEXT://127.0.0.1:29092");
  assert.equal(props.get("log.dirs"), "/d/kraft");
  assert.equal(props.get("auto.create.topics.enable"), "false");
  for (const t of ["offsets.topic", "transaction.state.log", "share.coordinator.state.topic"]) {
    assert.equal(props.get(`${t}.replication.factor`), "1", t);
    assert.equal(props.get(`${t}.num.partitions`), "1", t);
  }
  // The broker default record limit is kept on purpose (ingest splits larger requests).
  assert.ok(!props.has("message.max.bytes"));
});

Deno.test("kafkaClusterId() makes 22-character base64url ids that never start with a dash", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const id = kafkaClusterId();
    assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 500);
});
