/**
 * compose.yaml validated by Debian's docker-compose 1.29 (`config -q` needs no engine), with
 * the defaults alone, with `.env.example` as the env file, and with the demo profile.
 */
import assert from "node:assert/strict";
import { requireTool, ROOT, runCommand } from "./_stack.ts";

async function composeConfig(
  composeFile: string,
  envFile: string,
  extra: string[] = [],
): Promise<{ code: number; stderr: string }> {
  const bin = await requireTool("docker-compose", "docker-compose");
  // --env-file always given, so a developer's own .env never changes what is tested.
  const r = await runCommand(bin, [
    "-f",
    composeFile,
    "--project-directory",
    ROOT,
    "--env-file",
    envFile,
    ...extra,
    "config",
    "-q",
  ], { timeoutMs: 60_000 });
  return { code: r.code, stderr: r.stderr.trim() };
}

Deno.test("docker-compose config -q accepts compose.yaml with its defaults alone", async () => {
  const empty = await Deno.makeTempFile({ suffix: ".env" });
  try {
    const r = await composeConfig(`${ROOT}/compose.yaml`, empty);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await Deno.remove(empty);
  }
});

Deno.test("docker-compose config -q accepts compose.yaml with .env.example as env file", async () => {
  const env = await Deno.makeTempFile({ suffix: ".env" });
  try {
    await Deno.copyFile(`${ROOT}/.env.example`, env);
    const r = await composeConfig(`${ROOT}/compose.yaml`, env);
    assert.equal(r.code, 0, r.stderr);
    const demo = await composeConfig(`${ROOT}/compose.yaml`, env, ["--profile", "demo"]);
    assert.equal(demo.code, 0, demo.stderr);
  } finally {
    await Deno.remove(env);
  }
});

Deno.test("docker-compose config -q rejects a compose file with an error (the check can fail)", async () => {
  const text = await Deno.readTextFile(`${ROOT}/compose.yaml`);
  // A dependency on a service that does not exist: docker-compose must refuse it.
  const broken = text.replace(
    /(\n {2}ingest:\n(?:.*\n)*? {4}depends_on:\n)/,
    "$1      no-such-service:\n        condition: service_healthy\n",
  );
  assert.notEqual(broken, text, "the mutation did not apply");
  const dir = await Deno.makeTempDir();
  const empty = await Deno.makeTempFile({ suffix: ".env" });
  try {
    await Deno.writeTextFile(`${dir}/compose.yaml`, broken);
    const r = await composeConfig(`${dir}/compose.yaml`, empty);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no-such-service/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(empty);
  }
});
