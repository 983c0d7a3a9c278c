import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { createTenantRegistry } from "../lib/tenant/registry.ts";
import { readTenantsFile } from "../lib/tenant/store.ts";
import { verifyPassword } from "../lib/tenant/password.ts";

const script = new URL("./tenant.ts", import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  lastLine: string;
}

/** Runs `deno run -A tasks/tenant.ts <args>` in a subprocess. */
async function cli(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...(opts.env ?? {}) },
  }).spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin));
    await w.close();
  }
  const out = await child.output();
  const stdout = new TextDecoder().decode(out.stdout);
  const lines = stdout.trimEnd().split("\n");
  return {
    code: out.code,
    stdout,
    stderr: new TextDecoder().decode(out.stderr),
    lastLine: lines[lines.length - 1] ?? "",
  };
}

async function withTemp(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "obstack-cli-" });
  try {
    await fn(`${dir}/tenants.yaml`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("tenant CLI: create prints a working token alone on the last line and stores only its hash", async () => {
  await withTemp(async (path) => {
    const r = await cli([
      "create",
      "acme",
      "--name",
      "Acme Inc.",
      "--rps",
      "50",
      "--bytes-per-second",
      "1MiB",
      "--file",
      path,
    ]);
    strictEqual(r.code, 0, r.stderr);
    const token = r.lastLine;
    ok(/^obs_[A-Za-z0-9_-]{43}$/.test(token), token);
    const text = await Deno.readTextFile(path);
    ok(!text.includes(token), "token itself is not stored");
    strictEqual((await Deno.stat(path)).mode! & 0o777, 0o600);
    const f = await readTenantsFile(path);
    const t = f.tenants[0]!;
    deepStrictEqual(
      { id: t.id, numericId: t.numericId, name: t.name, enabled: t.enabled, limits: t.limits },
      {
        id: "acme",
        numericId: 1,
        name: "Acme Inc.",
        enabled: true,
        limits: { requestsPerSecond: 50, bytesPerSecond: 1048576 },
      },
    );
    const reg = await createTenantRegistry({ path, watch: false, pollIntervalMs: 0 });
    try {
      strictEqual((await reg.authenticate(token))?.id, "acme");
    } finally {
      reg.close();
    }
  });
});

Deno.test("tenant CLI: numeric ids are auto-assigned above the highest and explicit ones are checked", async () => {
  await withTemp(async (path) => {
    strictEqual((await cli(["create", "a", "--file", path])).code, 0);
    strictEqual((await cli(["create", "b", "--numeric-id", "100", "--file", path])).code, 0);
    strictEqual((await cli(["create", "c", "--file", path])).code, 0);
    const ids = (await readTenantsFile(path)).tenants.map((t) => [t.id, t.numericId]);
    deepStrictEqual(ids, [["a", 1], ["b", 100], ["c", 101]]);
    const dup = await cli(["create", "d", "--numeric-id", "100", "--file", path]);
    strictEqual(dup.code, 1);
    ok(dup.stderr.includes('numeric id 100 is already used by tenant "b"'), dup.stderr);
    const again = await cli(["create", "a", "--file", path]);
    strictEqual(again.code, 1);
    ok(again.stderr.includes('tenant "a" already exists'), again.stderr);
  });
});

Deno.test("tenant CLI: token issue, revoke, disable and enable take effect in the registry", async () => {
  await withTemp(async (path) => {
    const first = (await cli(["create", "acme", "--file", path])).lastLine;
    const issued = await cli(["token", "issue", "acme", "--file", path]);
    strictEqual(issued.code, 0, issued.stderr);
    const second = issued.lastLine;
    ok(second.startsWith("obs_") && second !== first);

    const reg = await createTenantRegistry({ path, watch: false, pollIntervalMs: 0 });
    try {
      strictEqual((await reg.authenticate(second))?.id, "acme");
      const firstId = (await readTenantsFile(path)).tenants[0]!.tokens[0]!.id;
      const rv = await cli(["token", "revoke", "acme", firstId, "--file", path]);
      strictEqual(rv.code, 0, rv.stderr);
      await reg.reload();
      strictEqual(await reg.authenticate(first), null, "revoked");
      strictEqual((await reg.authenticate(second))?.id, "acme", "other token still valid");

      strictEqual((await cli(["disable", "acme", "--file", path])).code, 0);
      await reg.reload();
      strictEqual(await reg.authenticate(second), null, "disabled");
      strictEqual((await cli(["enable", "acme", "--file", path])).code, 0);
      await reg.reload();
      strictEqual((await reg.authenticate(second))?.id, "acme", "enabled again");
    } finally {
      reg.close();
    }
    const bad = await cli(["token", "revoke", "acme", "nope", "--file", path]);
    strictEqual(bad.code, 1);
    ok(bad.stderr.includes('has no token "nope"'), bad.stderr);
  });
});

Deno.test("tenant CLI: list never prints hashes and --json is machine-readable", async () => {
  await withTemp(async (path) => {
    await cli(["create", "acme", "--file", path]);
    await cli(["create", "beta", "--file", path]);
    const l = await cli(["list", "--file", path]);
    strictEqual(l.code, 0, l.stderr);
    ok(l.stdout.includes("acme") && l.stdout.includes("beta"));
    ok(!l.stdout.includes("sha256"), l.stdout);
    const j = await cli(["list", "--json", "--file", path]);
    const rows = JSON.parse(j.stdout);
    deepStrictEqual(rows.map((r: { id: string }) => r.id), ["acme", "beta"]);
    ok(!j.stdout.includes("sha256"));
  });
});

Deno.test("tenant CLI: user add stores a salted hash of a password read from stdin or --password", async () => {
  await withTemp(async (path) => {
    await cli(["create", "acme", "--file", path]);
    const r = await cli(["user", "add", "acme", "alice", "--file", path], {
      stdin: "s3cret-password\n",
    });
    strictEqual(r.code, 0, r.stderr);
    const r2 = await cli([
      "user",
      "add",
      "acme",
      "bob",
      "--password",
      "another-password",
      "--file",
      path,
    ]);
    strictEqual(r2.code, 0, r2.stderr);
    const text = await Deno.readTextFile(path);
    ok(!text.includes("s3cret-password") && !text.includes("another-password"));
    const users = (await readTenantsFile(path)).tenants[0]!.users;
    strictEqual(await verifyPassword("s3cret-password", users[0]!.passwordHash), true);
    strictEqual(await verifyPassword("another-password", users[1]!.passwordHash), true);
    const short = await cli([
      "user",
      "add",
      "acme",
      "carol",
      "--password",
      "short",
      "--file",
      path,
    ]);
    strictEqual(short.code, 1);
    const dup = await cli([
      "user",
      "add",
      "acme",
      "alice",
      "--password",
      "whatever-long",
      "--file",
      path,
    ]);
    strictEqual(dup.code, 1);
  });
});

Deno.test("tenant CLI: usage errors exit 2, failures exit 1, and --file defaults to OBSTACK_TENANTS_FILE", async () => {
  await withTemp(async (path) => {
    const bad = await cli(["create", "Not_Valid", "--file", path]);
    strictEqual(bad.code, 2);
    ok(bad.stderr.includes("invalid tenant id"), bad.stderr);
    strictEqual((await cli(["frobnicate", "--file", path])).code, 2);
    strictEqual((await cli(["create", "a", "--bogus-flag", "--file", path])).code, 2);
    strictEqual((await cli(["create", "a", "--rps", "-3", "--file", path])).code, 2);
    strictEqual((await cli(["disable", "ghost", "--file", path])).code, 1);
    const viaEnv = await cli(["create", "envtenant"], { env: { OBSTACK_TENANTS_FILE: path } });
    strictEqual(viaEnv.code, 0, viaEnv.stderr);
    strictEqual((await readTenantsFile(path)).tenants[0]!.id, "envtenant");
    await Deno.writeTextFile(path, "tenants: [{id: x}]");
    const broken = await cli(["list", "--file", path]);
    strictEqual(broken.code, 1);
    ok(broken.stderr.includes("numeric_id"), broken.stderr);
  });
});
