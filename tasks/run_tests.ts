/**
 * `deno task test`: the whole test suite against real components. (Not named `test.ts`:
 * `deno test` would pick that name up as a test module and run the runner recursively.)
 *
 * Installs the Debian tools the deployment and browser tests use, fetches/builds every
 * real component into the cache (with progress), starts the shared test bed (Kafka,
 * OpenSearch, Prometheus, Jaeger, VictoriaLogs on the test ports), runs `deno test`
 * with the bed's addresses in the environment, stops the bed, and ends with the line
 * `tests: N passed, N failed[, N skipped]` counted from the JUnit report.
 *
 * Usage: deno task test [deno test args…]      e.g. `deno task test lib/codec`
 * Env:   OBSTACK_TESTBED=0  run without the test bed (integration tests are skipped)
 *
 * @module
 */

const root = new URL("..", import.meta.url).pathname;
const args = Deno.args;
const outDir = `${root}.obstack/test-results`;
await Deno.mkdir(outDir, { recursive: true });
const junit = `${outDir}/junit.xml`;
await Deno.remove(junit).catch(() => {});

function say(msg: string) {
  console.error(`test: ${msg}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

// Debian tools (docker-compose, deck, chromium) for the deployment and browser tests.
if (await exists(`${root}tasks/ensure_tools.ts`)) {
  const { ensureTools } = await import(`${root}tasks/ensure_tools.ts`);
  await ensureTools();
}

let bed: { env: Record<string, string>; stop(): Promise<void> } | undefined;
const wantBed = Deno.env.get("OBSTACK_TESTBED") !== "0";
const stopBed = async () => {
  if (bed) {
    const b = bed;
    bed = undefined;
    say("stopping the test bed");
    await b.stop();
  }
};
const onSignal = () => {
  stopBed().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

let code = 1;
try {
  if (wantBed) {
    const { ensureAll, startTestBed } = await import(`${root}tasks/infra/testbed.ts`);
    const t0 = performance.now();
    await ensureAll();
    say("starting the test bed (Kafka, OpenSearch, Prometheus, Jaeger, VictoriaLogs)");
    bed = await startTestBed();
    say(`test bed up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    say("OBSTACK_TESTBED=0: integration tests that need the test bed are skipped");
  }
  const env = { ...Deno.env.toObject(), ...(bed?.env ?? {}) };
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", `--junit-path=${junit}`, ...args],
    cwd: root,
    env,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  });
  const status = await cmd.output();
  code = status.code;
} catch (err) {
  say(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  code = 1;
} finally {
  await stopBed();
}

const counts = await countJunit(junit);
if (counts.failed === 0 && code !== 0) counts.failed = 1; // the run itself failed
console.log(
  `tests: ${counts.passed} passed, ${counts.failed} failed` +
    (counts.skipped > 0 ? `, ${counts.skipped} skipped` : ""),
);
Deno.exit(code === 0 && counts.failed === 0 ? 0 : 1);

/** Counts top-level test cases in Deno's JUnit report (steps are not counted separately). */
async function countJunit(path: string) {
  const out = { passed: 0, failed: 0, skipped: 0 };
  let xml: string;
  try {
    xml = await Deno.readTextFile(path);
  } catch {
    return out;
  }
  const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? [];
  for (const c of cases) {
    // Steps are reported as cases named "parent > step"; the parent already carries their result.
    if (/<testcase name="[^"]* &gt; /.test(c)) continue;
    if (/<failure\b/.test(c) || /<error\b/.test(c)) out.failed++;
    else if (/<skipped\b/.test(c)) out.skipped++;
    else out.passed++;
  }
  return out;
}
