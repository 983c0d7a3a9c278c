import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  parseTenantsFile,
  readTenantsFile,
  serialiseTenantsFile,
  TenantsFileError,
  writeTenantsFile,
} from "./store.ts";
import { file, tempTenantsPath, tenantWithTokens } from "./_test_util.ts";

const HASH = "sha256:" + "a".repeat(64);

Deno.test("writeTenantsFile() then readTenantsFile() round-trips every field", async () => {
  const { dir, path } = await tempTenantsPath();
  try {
    const t = await tenantWithTokens("acme", 7, [{ token: "t1", id: "k1" }, {
      token: "t2",
      id: "k2",
      revoked: true,
    }], {
      name: "Acme Inc.",
      enabled: false,
      limits: { requestsPerSecond: 5, bytesPerSecond: 1024 },
      users: [{ name: "alice", passwordHash: "pbkdf2-sha256$1$AA$AA" }],
    });
    await writeTenantsFile(path, file(t));
    deepStrictEqual(await readTenantsFile(path), file(t));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeTenantsFile() writes mode 0600 atomically and leaves no temp file", async () => {
  const { dir, path } = await tempTenantsPath();
  try {
    await Deno.writeTextFile(path, "tenants: []\n", { mode: 0o644 });
    await Deno.chmod(path, 0o644);
    const before = (await Deno.stat(path)).ino;
    await writeTenantsFile(path, file(await tenantWithTokens("a", 1, [])));
    const st = await Deno.stat(path);
    strictEqual(st.mode! & 0o777, 0o600);
    ok(st.ino !== before, "replaced by rename, not rewritten in place");
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    deepStrictEqual(names, ["tenants.yaml"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serialiseTenantsFile() uses snake_case keys and never writes tokens, only hashes", async () => {
  const text = serialiseTenantsFile(
    file(await tenantWithTokens("a", 1, [{ token: "obs_secret", id: "k" }])),
  );
  ok(text.includes("numeric_id: 1"));
  ok(text.includes("hash: sha256:"));
  ok(!text.includes("obs_secret"));
});

Deno.test("parseTenantsFile() rejects invalid entries with a message naming the entry", () => {
  const cases: Array<[string, RegExp]> = [
    ["tenants: [{id: Bad_Id, numeric_id: 1}]", /tenants\[0\]: invalid tenant id "Bad_Id"/],
    [
      "tenants: [{id: a, numeric_id: 1}, {id: a, numeric_id: 2}]",
      /tenants\[1\] \(id "a"\): duplicate tenant id, first used by tenants\[0\]/,
    ],
    [
      "tenants: [{id: a, numeric_id: 1}, {id: b, numeric_id: 1}]",
      /tenants\[1\] \(id "b"\): duplicate numeric_id 1, already used by tenant "a"/,
    ],
    ["tenants: [{id: a, numeric_id: 0}]", /\(id "a"\): numeric_id must be a positive integer/],
    ["tenants: [{id: a}]", /numeric_id/],
    [
      "tenants: [{id: a, numeric_id: 1, tokens: [{id: k, hash: md5:abc}]}]",
      /\(id "a"\): tokens\[0\] \(token "k"\): hash must be/,
    ],
    [
      `tenants: [{id: a, numeric_id: 1, tokens: [{id: k, hash: "${HASH}"}, {id: k, hash: "${HASH}"}]}]`,
      /duplicate token id "k"/,
    ],
    ["tenants: [{id: a, numeric_id: 1, enabled: maybe}]", /enabled must be true or false/],
    [
      "tenants: [{id: a, numeric_id: 1, limits: {requests_per_second: -1}}]",
      /limits\.requests_per_second/,
    ],
    ["tenants: {a: 1}", /"tenants" must be a list/],
    ["tenants: [a: [", /not valid YAML/],
  ];
  for (const [text, re] of cases) {
    throws(() => parseTenantsFile(text, "f.yaml"), (e: unknown) => {
      ok(e instanceof TenantsFileError, String(e));
      ok(re.test(e.message), `${e.message} !~ ${re}`);
      ok(e.message.startsWith("f.yaml"), e.message);
      return true;
    });
  }
});

Deno.test("parseTenantsFile() applies defaults and reads an empty file as no tenants", () => {
  deepStrictEqual(parseTenantsFile(""), { tenants: [] });
  const f = parseTenantsFile(
    `tenants: [{id: a, numeric_id: 3, tokens: [{id: k, hash: "${HASH}", revoked: "2025-01-02T00:00:00Z"}]}]`,
  );
  const t = f.tenants[0]!;
  strictEqual(t.name, "a");
  strictEqual(t.enabled, true);
  strictEqual(t.tokens[0]!.revoked, true, "a revocation timestamp counts as revoked");
  deepStrictEqual(t.limits, {});
  deepStrictEqual(t.users, []);
});

Deno.test("readTenantsFile() fails on a missing file unless missingOk", async () => {
  const { dir, path } = await tempTenantsPath();
  try {
    await readTenantsFile(path).then(
      () => {
        throw new Error("expected NotFound");
      },
      (e) => ok(e instanceof Deno.errors.NotFound),
    );
    deepStrictEqual(await readTenantsFile(path, { missingOk: true }), { tenants: [] });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
