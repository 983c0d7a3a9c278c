/**
 * `deno task build` (tasks/build.ts): the build plan, the one clear message when `deno compile`
 * has no runtime, and — where DENORT_BIN gives one — the compiled binaries themselves.
 */
import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { OBSTACK_VERSION } from "../../lib/version.ts";
import {
  build,
  compileArgs,
  ensureRuntime,
  parseRunTask,
  serviceBuilds,
} from "../../tasks/build.ts";
import { ROOT, runCommand } from "./_stack.ts";
import { freePort } from "../../tasks/infra/ports.ts";

const LISTEN_ENV: Record<string, string> = {
  ingest: "OBSTACK_INGEST_LISTEN",
  forwarder: "OBSTACK_FORWARDER_LISTEN",
  console: "OBSTACK_CONSOLE_LISTEN",
};

Deno.test("parseRunTask() reads the entry and keeps only flags deno compile understands", () => {
  assert.deepEqual(parseRunTask("deno run -A ingest/main.ts"), {
    flags: ["-A"],
    entry: "ingest/main.ts",
  });
  assert.deepEqual(
    parseRunTask("deno run --allow-net --allow-env=A,B --watch --unstable-kv console/main.ts"),
    { flags: ["--allow-net", "--allow-env=A,B", "--unstable-kv"], entry: "console/main.ts" },
  );
  assert.throws(() => parseRunTask("deno test -A"), /deno run/);
  assert.throws(() => parseRunTask("deno run -A"), /no entry/);
});

Deno.test("serviceBuilds() compiles each service's deno task entry, with proto included", async () => {
  const plans = serviceBuilds();
  assert.deepEqual(plans.map((p) => p.name), ["ingest", "forwarder", "console"]);
  for (const p of plans) {
    assert.equal(p.entry, `${p.name}/main.ts`);
    assert.ok(p.flags.length > 0, `${p.name}: no permissions from its deno task`);
    const args = compileArgs(p, "/out");
    assert.deepEqual(args.slice(0, 1), ["compile"]);
    assert.ok(args.join(" ").includes("--include proto"), "the .proto files are embedded");
    assert.equal(args.at(-1), p.entry);
    assert.ok(args.join(" ").includes(`--output /out/obstack-${p.name}`));
    for (const inc of p.includes) {
      assert.ok((await Deno.stat(`${ROOT}/${inc}`)).isDirectory, `${p.name}: ${inc} is missing`);
    }
  }
  // The console serves its UI from files: they must be inside its binary.
  const con = plans.find((p) => p.name === "console")!;
  assert.ok(
    con.includes.includes("console/ui/pages") && con.includes.includes("console/ui/static"),
  );
  assert.ok((await Deno.stat(`${ROOT}/proto`)).isDirectory);
});

Deno.test("lib/version.ts exports the version of deno.json", () => {
  assert.equal(OBSTACK_VERSION, denoJson.version);
  assert.match(OBSTACK_VERSION, /^\d+\.\d+\.\d+/);
});

for (const plan of serviceBuilds()) {
  Deno.test(`deno run ${plan.entry} --version prints "${plan.binary} <version>"`, async () => {
    try {
      await Deno.stat(`${ROOT}/${plan.entry}`);
    } catch {
      throw new Error(`${plan.entry} does not exist yet`);
    }
    const r = await runCommand(Deno.execPath(), ["run", ...plan.flags, plan.entry, "--version"], {
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `${plan.binary} ${denoJson.version}`);
  });
}

Deno.test("deno task build stops with one clear message when the Deno runtime cannot be downloaded", async () => {
  // An empty DENO_DIR (no cached runtime) and a proxy on a closed loopback port: the download
  // fails at once and no traffic leaves the machine.
  const denoDir = await Deno.makeTempDir();
  try {
    const env: Record<string, string> = {
      DENO_DIR: denoDir,
      HTTPS_PROXY: "http://127.0.0.1:9",
      HTTP_PROXY: "http://127.0.0.1:9",
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? "/tmp",
    };
    const err = await ensureRuntime(env).then(() => undefined, (e: Error) => e);
    assert.ok(err, "the probe compiled although the runtime cannot be downloaded");
    assert.equal(err.message.split("\n").length, 1, err.message);
    assert.match(err.message, /^deno task build: cannot compile: the Deno runtime/);
    assert.match(err.message, /downloadable/);
    assert.match(err.message, /DENORT_BIN/);
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});

Deno.test("deno task build with DENORT_BIN naming no file prints one line and exits 1", async () => {
  const out = await Deno.makeTempDir();
  try {
    const r = await runCommand(Deno.execPath(), ["run", "-A", "tasks/build.ts", "--out", out], {
      env: { DENORT_BIN: "/nonexistent/denort" },
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 1);
    const ours = r.stderr.split("\n").filter((l) => l.startsWith("deno task build:"));
    assert.equal(ours.length, 1, r.stderr);
    assert.match(ours[0]!, /DENORT_BIN=\/nonexistent\/denort/);
    assert.doesNotMatch(r.stderr, /Stack backtrace|^error:/m);
    assert.deepEqual([...Deno.readDirSync(out)], [], "nothing was written");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

async function waitForHealthz(url: string, child: Deno.ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let exited = false;
  child.status.then(() => exited = true);
  let last = "";
  while (Date.now() < deadline) {
    if (exited) throw new Error(`exited before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 within ${ms} ms (${last})`);
}

const denort = Deno.env.get("DENORT_BIN") ?? "";
Deno.test({
  name: denort
    ? "compiled binaries answer --version and /healthz"
    : "compiled binaries answer --version and /healthz (skipped: DENORT_BIN is not set, and deno compile cannot download its runtime on these machines)",
  ignore: denort === "",
  async fn() {
    const out = await Deno.makeTempDir();
    const children: Deno.ChildProcess[] = [];
    try {
      const paths = await build({ root: ROOT, outDir: out, log: () => {} });
      await Deno.writeTextFile(`${out}/tenants.yaml`, "tenants: []\n");
      for (const plan of serviceBuilds()) {
        const bin = `${out}/${plan.binary}`;
        assert.ok(paths.includes(bin));
        const v = await runCommand(bin, ["--version"], { timeoutMs: 15_000 });
        assert.equal(v.stdout.trim(), `${plan.binary} ${denoJson.version}`);
        const port = freePort();
        const child = new Deno.Command(bin, {
          env: {
            [LISTEN_ENV[plan.name]!]: `127.0.0.1:${port}`,
            OBSTACK_TENANTS_FILE: `${out}/tenants.yaml`,
            OBSTACK_KAFKA_BROKERS: Deno.env.get("OBSTACK_TEST_KAFKA") ?? "127.0.0.1:29092",
          },
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).spawn();
        children.push(child);
        await waitForHealthz(`http://127.0.0.1:${port}/healthz`, child, 30_000);
      }
    } finally {
      for (const c of children) {
        try {
          c.kill("SIGKILL");
        } catch { /* already exited */ }
        await c.status;
      }
      await Deno.remove(out, { recursive: true });
    }
  },
});
