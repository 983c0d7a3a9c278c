import assert from "node:assert/strict";
import { pidAlive } from "./pid.ts";
import { spawnComponent, tcpOpen } from "./process.ts";
import { freePort } from "./ports.ts";

const server = new URL("./testdata/http_server.ts", import.meta.url).pathname;

Deno.test("spawnComponent() waits for readiness and stop() ends the process and frees its port", async () => {
  const dir = await Deno.makeTempDir();
  const port = freePort();
  const c = await spawnComponent({
    name: "testsrv",
    cmd: Deno.execPath(),
    args: ["run", "--allow-net", server, String(port)],
    logFile: `${dir}/srv.log`,
    pidFile: `${dir}/srv.pid`,
    ready: [{ logLine: "listening on" }, { http: `http://127.0.0.1:${port}/` }],
    timeoutMs: 30_000,
    ports: [port],
    endpoints: { http: `http://127.0.0.1:${port}` },
  });
  try {
    assert.ok(pidAlive(c.pid));
    assert.equal((await Deno.readTextFile(`${dir}/srv.pid`)).trim(), String(c.pid));
    assert.equal(await (await fetch(c.endpoints.http!)).text(), "ok");
  } finally {
    await c.stop();
  }
  assert.ok(!pidAlive(c.pid));
  assert.ok(!(await tcpOpen("127.0.0.1", port)));
  await assert.rejects(Deno.stat(`${dir}/srv.pid`));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("spawnComponent() kills a process that ignores SIGTERM after the grace period", async () => {
  const dir = await Deno.makeTempDir();
  const port = freePort();
  const c = await spawnComponent({
    name: "stubborn",
    cmd: Deno.execPath(),
    args: ["run", "--allow-net", server, String(port), "stubborn"],
    logFile: `${dir}/srv.log`,
    ready: [{ tcp: { host: "127.0.0.1", port } }],
    timeoutMs: 30_000,
    ports: [port],
    stopGraceMs: 500,
    endpoints: {},
  });
  await c.stop();
  assert.ok(!pidAlive(c.pid));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("spawnComponent() reports a process that dies before it is ready, with its log", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(
    spawnComponent({
      name: "dies",
      cmd: "sh",
      args: ["-c", "echo something went wrong; exit 3"],
      logFile: `${dir}/dies.log`,
      ready: [{ tcp: { host: "127.0.0.1", port: 1 } }],
      timeoutMs: 10_000,
      endpoints: {},
    }),
    /dies: exited before it was ready[\s\S]*something went wrong/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("spawnComponent() times out, stops the process and names what it waited for", async () => {
  const dir = await Deno.makeTempDir();
  let pid = 0;
  await assert.rejects(
    spawnComponent({
      name: "slow",
      cmd: "sh",
      args: ["-c", "echo $$ > pid; exec sleep 60"],
      cwd: dir,
      logFile: `${dir}/slow.log`,
      ready: [{ logLine: "never printed" }],
      timeoutMs: 1_000,
      endpoints: {},
    }).catch(async (err) => {
      pid = Number((await Deno.readTextFile(`${dir}/pid`)).trim());
      throw err;
    }),
    /slow: not ready after 1\.0 s \(waiting for log line never printed\)/,
  );
  assert.ok(pid > 0 && !pidAlive(pid));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("spawnComponent() refuses to start on a port that is already taken", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  try {
    await assert.rejects(
      spawnComponent({
        name: "clash",
        cmd: "true",
        args: [],
        logFile: "/dev/null",
        ready: [],
        timeoutMs: 1_000,
        ports: [port],
        endpoints: {},
      }),
      new RegExp(`clash: port ${port} is already in use`),
    );
  } finally {
    l.close();
  }
});
