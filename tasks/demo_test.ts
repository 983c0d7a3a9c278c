import assert from "node:assert/strict";
import { demoCollectorConfig, demoData, sendDemoData } from "./demo.ts";
import { otlpJsonToProtobuf } from "../lib/codec/otlp.ts";
import { freePort } from "./infra/ports.ts";

Deno.test("demoData() builds valid OTLP for all three signals with what it says it contains", () => {
  const now = Date.UTC(2025, 0, 1, 12);
  const d = demoData("shop", now);
  for (const signal of ["logs", "metrics", "traces"] as const) {
    // The project's own codec accepts the JSON (so ingest will).
    assert.ok(otlpJsonToProtobuf(signal, JSON.stringify(d[signal])).byteLength > 100);
  }
  assert.equal(d.known.traceIds.length, 6);
  assert.deepEqual(d.known.spanNames, [
    "POST /checkout",
    "reserve stock",
    "SELECT stock",
    "charge card",
    "POST api.pay.example/v1/charges",
  ]);
  const text = JSON.stringify(d.logs);
  assert.ok(text.includes(d.known.errorLine));
  assert.ok(text.toLowerCase().includes(d.known.searchWord));
  const bank = demoData("bank", now);
  assert.ok(!JSON.stringify(bank.logs).toLowerCase().includes(d.known.searchWord));
});

Deno.test("demoData() leaves out metric points a previous run already sent", () => {
  const now = Date.UTC(2025, 0, 1, 12);
  const all = demoData("bank", now);
  const later = demoData("bank", now, now - 60_000);
  const count = (d: typeof all) => (JSON.stringify(d.metrics).match(/timeUnixNano/g) ?? []).length;
  assert.ok(count(later) < count(all));
  assert.ok(count(later) > 0);
});

const otelcol = Deno.env.get("OBSTACK_BIN_OTELCOL");

Deno.test({
  name: "demoCollectorConfig() routes each tenant's data to ingest with that tenant's token",
  ignore: !otelcol,
  fn: async () => {
    // A recording stand-in for ingest: which token brought which signal.
    const seen: { path: string; auth: string | null }[] = [];
    const ac = new AbortController();
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      signal: ac.signal,
      onListen: () => {},
    }, async (req) => {
      await req.arrayBuffer();
      seen.push({ path: new URL(req.url).pathname, auth: req.headers.get("Authorization") });
      return new Response(new Uint8Array(), {
        headers: { "Content-Type": "application/x-protobuf" },
      });
    });
    const pa = freePort(), pb = freePort();
    const dir = await Deno.makeTempDir();
    await Deno.writeTextFile(
      `${dir}/c.yaml`,
      demoCollectorConfig(`http://127.0.0.1:${server.addr.port}`, [
        { id: "tenant-a", port: pa, tokenEnv: "TA" },
        { id: "tenant-b", port: pb, tokenEnv: "TB" },
      ]),
    );
    const child = new Deno.Command(otelcol!, {
      args: ["--config", `${dir}/c.yaml`],
      env: { TA: "obs_token_a", TB: "obs_token_b" },
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const up = await Promise.all(
          [pa, pb].map((p) =>
            Deno.connect({ hostname: "127.0.0.1", port: p }).then(
              (c) => (c.close(), true),
              () => false,
            )
          ),
        );
        if (up.every(Boolean)) break;
        assert.ok(Date.now() < deadline, "collector did not start");
        await new Promise((r) => setTimeout(r, 100));
      }
      await sendDemoData(`http://127.0.0.1:${pa}`, demoData("shop", Date.now()));
      await sendDemoData(`http://127.0.0.1:${pb}`, demoData("bank", Date.now()));
      const byToken = (t: string) =>
        seen.filter((s) => s.auth === `Bearer ${t}`).map((s) => s.path).sort();
      assert.deepEqual(byToken("obs_token_a"), ["/v1/logs", "/v1/metrics", "/v1/traces"]);
      assert.deepEqual(byToken("obs_token_b"), ["/v1/logs", "/v1/metrics", "/v1/traces"]);
    } finally {
      child.kill("SIGTERM");
      await child.status;
      ac.abort();
      await server.finished;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
