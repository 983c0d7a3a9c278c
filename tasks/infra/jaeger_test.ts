import assert from "node:assert/strict";
import { parse } from "yaml";
import { jaegerConfig } from "./jaeger.ts";

const ports = { otlpGrpc: 24317, otlpHttp: 24318, remoteStorage: 27271, query: 26686 };

Deno.test("jaegerConfig() enables tenancy with capitalised keys on jaeger_query and remote_storage", () => {
  // deno-lint-ignore no-explicit-any
  const c = parse(jaegerConfig(["tenant-a", "demo"], ports)) as any;
  for (const ext of ["jaeger_query", "remote_storage"]) {
    assert.deepEqual(c.extensions[ext].multi_tenancy, {
      Enabled: true,
      Header: "X-Scope-OrgID",
      Tenants: ["tenant-a", "demo"],
    }, ext);
  }
  assert.equal(c.extensions.remote_storage.endpoint, "127.0.0.1:27271");
  assert.equal(c.extensions.jaeger_query.http.endpoint, "127.0.0.1:26686");
  assert.equal(c.extensions.jaeger_query.grpc.endpoint, "127.0.0.1:26685");
  assert.equal(c.receivers.otlp.protocols.grpc.endpoint, "127.0.0.1:24317");
  assert.equal(c.receivers.otlp.protocols.http.endpoint, "127.0.0.1:24318");
  assert.equal(c.service.telemetry.metrics.level, "none");
  assert.ok(c.extensions.jaeger_storage.backends.memstore.memory.max_traces > 0);
});

Deno.test("jaegerConfig() rejects an empty tenant list", () => {
  assert.throws(() => jaegerConfig([], ports), /at least one tenant/);
});

const jaegerBin = Deno.env.get("OBSTACK_BIN_JAEGER");

Deno.test({
  name: "jaegerConfig() output passes `jaeger validate`",
  ignore: !jaegerBin,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/jaeger.yaml`, jaegerConfig(["tenant-a", "tenant-b"], ports));
      const out = await new Deno.Command(jaegerBin!, {
        args: ["validate", "--config", `${dir}/jaeger.yaml`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.ok(out.success, text);
      // A misspelt key must fail, so the check above means something.
      await Deno.writeTextFile(
        `${dir}/bad.yaml`,
        jaegerConfig(["tenant-a"], ports).replace("max_traces", "max_tracez"),
      );
      const bad = await new Deno.Command(jaegerBin!, {
        args: ["validate", "--config", `${dir}/bad.yaml`],
        stdout: "null",
        stderr: "null",
      }).output();
      assert.ok(!bad.success);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
