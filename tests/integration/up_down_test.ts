/**
 * `deno task up --mode=native` then `deno task down`, on a private state folder and shifted
 * ports (OBSTACK_STATE_DIR, OBSTACK_PORT_OFFSET) so it clashes neither with the test bed nor
 * with a developer's running stack. Needs the Go binaries (the test bed builds them).
 */
import assert from "node:assert/strict";
import { nativeStatus } from "../../tasks/status.ts";
import { tcpOpen } from "../../tasks/infra/process.ts";
import { pidAlive } from "../../tasks/infra/pid.ts";
import { componentPorts, STACK_COMPONENTS, stackLayout } from "../../tasks/infra/stack.ts";

const root = new URL("../../", import.meta.url).pathname;
const needs = [
  "OBSTACK_BIN_PROMETHEUS",
  "OBSTACK_BIN_JAEGER",
  "OBSTACK_BIN_VLOGS",
  "OBSTACK_TEST_KAFKA",
];
const missing = needs.filter((n) => !Deno.env.get(n));

/** First port offset whose every port is free (never the test bed's +10000). */
async function freeOffset(): Promise<number> {
  for (const offset of [5000, 6000, 7000, 8000, 11000, 12000, 13000]) {
    const l = stackLayout({ OBSTACK_PORT_OFFSET: String(offset) });
    let free = true;
    for (const name of STACK_COMPONENTS) {
      for (const port of componentPorts(name, l.ports)) {
        if (await tcpOpen("127.0.0.1", port)) free = false;
      }
    }
    if (free) return offset;
  }
  throw new Error("no free port offset for the up/down test");
}

async function task(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}tasks/${script}`, ...args],
    cwd: root,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** Pids of every process whose command line or environment names the state folder. */
async function processesOf(stateDir: string): Promise<number[]> {
  const found: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
    try {
      const cmd = await Deno.readTextFile(`/proc/${e.name}/cmdline`);
      const env = await Deno.readTextFile(`/proc/${e.name}/environ`).catch(() => "");
      if (cmd.includes(stateDir) || env.includes(stateDir)) found.push(Number(e.name));
    } catch { /* exited meanwhile */ }
  }
  return found.filter(pidAlive);
}

Deno.test({
  name: "up --mode=native starts a healthy stack, a second up reuses it, down leaves no process",
  ignore: missing.length > 0,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const stateDir = await Deno.makeTempDir({ prefix: "obstack-updown-" });
    // OpenSearch runs as its own user and must be able to enter the state folder.
    await Deno.chmod(stateDir, 0o755);
    const offset = await freeOffset();
    const env = {
      OBSTACK_STATE_DIR: stateDir,
      OBSTACK_PORT_OFFSET: String(offset),
    };
    const l = stackLayout(env);
    try {
      const up = await task("up.ts", ["--mode=native"], env);
      assert.equal(up.code, 0, `up failed:\n${up.stderr}\n${up.stdout}`);
      const token = (await Deno.readTextFile(l.demoTokenFile)).trim();
      assert.match(token, /^obs_[A-Za-z0-9_-]{43}$/);
      assert.equal((await Deno.stat(l.demoTokenFile)).mode! & 0o777, 0o600);
      assert.ok(up.stdout.includes(token), "up prints the demo token");
      assert.ok(
        up.stdout.includes(`curl -sS -i -X POST http://127.0.0.1:${l.ports.ingest}/v1/logs`),
      );

      const rows = await nativeStatus(l);
      const expected = new Set<string>();
      for (const r of rows) {
        if (r.health === "not in checkout") continue;
        expected.add(r.component);
        assert.ok(r.alive, `${r.component} is not running: ${r.health}`);
        assert.equal(r.health, "ok", `${r.component} health`);
      }
      for (const infra of ["kafka", "opensearch", "victorialogs", "prometheus", "jaeger"]) {
        assert.ok(expected.has(infra), infra);
      }
      const pids = new Map(rows.filter((r) => r.alive).map((r) => [r.component, r.pid]));

      if (expected.has("ingest")) {
        const res = await fetch(`http://127.0.0.1:${l.ports.ingest}/v1/logs`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({
            resourceLogs: [{
              resource: { attributes: [{ key: "service.name", value: { stringValue: "updown" } }] },
              scopeLogs: [{ logRecords: [{ body: { stringValue: "hello" } }] }],
            }],
          }),
        });
        await res.body?.cancel();
        assert.equal(res.status, 200, "ingest accepts the demo token");
      }

      // Idempotent: the second up finds everything running and keeps the same processes.
      const again = await task("up.ts", ["--mode=native"], env);
      assert.equal(again.code, 0, again.stderr);
      assert.ok(again.stdout.includes(token), "the second up prints the same token");
      for (const r of await nativeStatus(l)) {
        if (pids.has(r.component)) assert.equal(r.pid, pids.get(r.component), r.component);
      }

      const down = await task("down.ts", [], env);
      assert.equal(down.code, 0, down.stderr);
      for (const [name, pid] of pids) {
        assert.ok(!pidAlive(pid!), `${name} (pid ${pid}) survived down`);
      }
      assert.deepEqual(await processesOf(stateDir), [], "processes started by up are left");
      for (const name of expected) {
        for (const port of componentPorts(name as typeof STACK_COMPONENTS[number], l.ports)) {
          assert.ok(!(await tcpOpen("127.0.0.1", port)), `${name} port ${port} still open`);
        }
      }
    } finally {
      // Whatever happened, leave nothing behind.
      await task("down.ts", [], env).catch(() => {});
      for (const pid of await processesOf(stateDir)) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch { /* gone */ }
      }
      await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    }
  },
});
