/**
 * The compose stack's config files loaded by the real programs that the test bed has (same
 * releases as the images, built from source): the demo Collector config by `otelcol validate`,
 * the Prometheus config by starting Prometheus with compose's own flags. Loki, Tempo, Kong and
 * Redpanda cannot run here (INFRA.md); their files are checked statically elsewhere.
 */
import assert from "node:assert/strict";
import {
  interpolate,
  loadCompose,
  loadEnvExample,
  parseYaml,
  readRepoFile,
  ROOT,
  runCommand,
} from "./_stack.ts";
import { freePort } from "../../tasks/infra/ports.ts";

const otelcol = Deno.env.get("OBSTACK_BIN_OTELCOL") ?? "";
const prometheus = Deno.env.get("OBSTACK_BIN_PROMETHEUS") ?? "";

Deno.test({
  name: otelcol
    ? "the demo Collector config passes otelcol validate, and a broken one does not"
    : "the demo Collector config passes otelcol validate (skipped: OBSTACK_BIN_OTELCOL is not set)",
  ignore: otelcol === "",
  async fn() {
    const env = { STACK_DEMO_TOKEN: "obs_demo-token-for-validation" };
    const ok = await runCommand(otelcol, [
      "validate",
      `--config=${ROOT}/deploy/collector-demo/config.yaml`,
    ], { env, timeoutMs: 30_000 });
    assert.equal(ok.code, 0, ok.stderr);
    // The same file with a misspelt field must fail, or the check proves nothing.
    const text = await readRepoFile("deploy/collector-demo/config.yaml");
    const broken = text.replace("send_batch_size:", "send_batch_sizes:");
    assert.notEqual(broken, text);
    const file = await Deno.makeTempFile({ suffix: ".yaml" });
    try {
      await Deno.writeTextFile(file, broken);
      const bad = await runCommand(otelcol, ["validate", `--config=${file}`], {
        env,
        timeoutMs: 30_000,
      });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /send_batch_sizes/);
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test("the demo Collector sends through Kong with the demo token, never to ingest directly", async () => {
  const compose = await loadCompose();
  const cfg = parseYaml(await readRepoFile("deploy/collector-demo/config.yaml")) as {
    exporters: Record<string, { endpoint: string; auth?: unknown }>;
    extensions: Record<string, { token?: string }>;
  };
  const exporters = cfg.exporters;
  assert.ok(Object.keys(exporters).length > 0);
  for (const [name, e] of Object.entries(exporters)) {
    assert.match(e.endpoint, /^https:\/\/kong:8443(\/|$)/, `${name} must go through Kong (TLS)`);
    assert.deepEqual(e.auth, { authenticator: "bearertokenauth/obstack" }, name);
  }
  assert.equal(cfg.extensions["bearertokenauth/obstack"]?.token, "${env:STACK_DEMO_TOKEN}");
  const col = compose.services["otel-collector"]!;
  assert.equal(col.environment?.STACK_DEMO_TOKEN, "${STACK_DEMO_TOKEN:-}");
});

/** compose's Prometheus flags, with the paths and address of this test. */
async function prometheusArgs(config: string, data: string, port: number): Promise<string[]> {
  const compose = await loadCompose();
  const env = await loadEnvExample();
  const cmd = compose.services.prometheus!.command as string[];
  return cmd.map((a) => interpolate(a, env)).map((a) =>
    a.startsWith("--config.file=")
      ? `--config.file=${config}`
      : a.startsWith("--storage.tsdb.path=")
      ? `--storage.tsdb.path=${data}`
      : a.startsWith("--web.listen-address=")
      ? `--web.listen-address=127.0.0.1:${port}`
      : a
  );
}

async function runPrometheus(
  config: string,
): Promise<{ ready: boolean; body: string; log: string }> {
  const data = await Deno.makeTempDir();
  const port = freePort();
  const child = new Deno.Command(prometheus, {
    args: await prometheusArgs(config, data, port),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const logChunks: string[] = [];
  const logDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (c) => void logChunks.push(c) }),
  ).catch(() => {});
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !exited) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/-/ready`, {
          signal: AbortSignal.timeout(2000),
        });
        await res.body?.cancel();
        if (res.status === 200) {
          const cfg = await fetch(`http://127.0.0.1:${port}/api/v1/status/config`);
          return { ready: true, body: await cfg.text(), log: logChunks.join("") };
        }
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 200));
    }
    return { ready: false, body: "", log: logChunks.join("") };
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await status;
    await logDone;
    await Deno.remove(data, { recursive: true });
  }
}

Deno.test({
  name: prometheus
    ? "Prometheus loads deploy/prometheus/prometheus.yml with compose's flags, and refuses a broken one"
    : "Prometheus loads deploy/prometheus/prometheus.yml (skipped: OBSTACK_BIN_PROMETHEUS is not set)",
  ignore: prometheus === "",
  async fn() {
    const good = await runPrometheus(`${ROOT}/deploy/prometheus/prometheus.yml`);
    assert.ok(good.ready, good.log.slice(-2000));
    for (const job of ["obstack-ingest", "obstack-forwarder"]) {
      assert.ok(good.body.includes(`job_name: ${job}`), `${job} not in the loaded config`);
    }
    assert.ok(good.body.includes("out_of_order_time_window: 10m"));

    const text = await readRepoFile("deploy/prometheus/prometheus.yml");
    const broken = text.replace("scrape_interval: 30s", "scrape_intervals: 30s");
    assert.notEqual(broken, text);
    const file = await Deno.makeTempFile({ suffix: ".yml" });
    try {
      await Deno.writeTextFile(file, broken);
      const bad = await runPrometheus(file);
      assert.equal(bad.ready, false, "Prometheus started with a broken config");
      assert.match(bad.log, /scrape_intervals/);
    } finally {
      await Deno.remove(file);
    }
  },
});
