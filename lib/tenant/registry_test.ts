import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { createLogger } from "../log/logger.ts";
import { createTenantRegistry } from "./registry.ts";
import { writeTenantsFile } from "./store.ts";
import { file, pollUntil, tempTenantsPath, tenantWithTokens } from "./_test_util.ts";

/** Runs `fn` with a temp tenants file holding tenants a (token "tok-a"), b ("tok-b"). */
async function withFile(fn: (path: string) => Promise<void>): Promise<void> {
  const { dir, path } = await tempTenantsPath();
  try {
    await writeTenantsFile(
      path,
      file(
        await tenantWithTokens("tenant-a", 1, [{ token: "tok-a", id: "ka" }, {
          token: "tok-a-old",
          id: "ka0",
          revoked: true,
        }], { limits: { requestsPerSecond: 5 } }),
        await tenantWithTokens("tenant-b", 2, [{ token: "tok-b", id: "kb" }]),
        await tenantWithTokens("tenant-off", 3, [{ token: "tok-off", id: "ko" }], {
          enabled: false,
        }),
      ),
    );
    await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  return {
    lines,
    logger: createLogger("test", { level: "debug", sink: (l) => lines.push(JSON.parse(l)) }),
  };
}

Deno.test("authenticate() returns the tenant that owns a valid token", async () => {
  await withFile(async (path) => {
    const reg = await createTenantRegistry({ path, watch: false, pollIntervalMs: 0 });
    try {
      const a = await reg.authenticate("tok-a");
      strictEqual(a?.id, "tenant-a");
      strictEqual(a?.numericId, 1);
      deepStrictEqual(a?.limits, { requestsPerSecond: 5 });
      strictEqual((await reg.authenticate("tok-b"))?.id, "tenant-b");
      strictEqual(await reg.authenticate("tok-c"), null);
      strictEqual(await reg.authenticate(""), null);
    } finally {
      reg.close();
    }
  });
});

Deno.test("authenticate() rejects a revoked token and a disabled tenant's token", async () => {
  await withFile(async (path) => {
    const reg = await createTenantRegistry({ path, watch: false, pollIntervalMs: 0 });
    try {
      strictEqual(await reg.authenticate("tok-a-old"), null, "revoked");
      strictEqual(await reg.authenticate("tok-off"), null, "disabled tenant");
      strictEqual(reg.get("tenant-off")?.enabled, false, "still listed");
    } finally {
      reg.close();
    }
  });
});

Deno.test("get() and list() expose tenants without any hash", async () => {
  await withFile(async (path) => {
    const reg = await createTenantRegistry({ path, watch: false, pollIntervalMs: 0 });
    try {
      deepStrictEqual(reg.list().map((t) => t.id), ["tenant-a", "tenant-b", "tenant-off"]);
      strictEqual(reg.get("nope"), undefined);
      ok(!JSON.stringify(reg.list()).includes("sha256"));
    } finally {
      reg.close();
    }
  });
});

Deno.test("createTenantRegistry() fails at start on a missing or invalid file", async () => {
  const { dir, path } = await tempTenantsPath();
  try {
    await rejects(createTenantRegistry({ path }), Deno.errors.NotFound);
    await Deno.writeTextFile(path, "tenants: [{id: UPPER, numeric_id: 1}]");
    await rejects(createTenantRegistry({ path }), /invalid tenant id "UPPER"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the registry reloads a changed file without restart (file watch)", async () => {
  await withFile(async (path) => {
    // Poll disabled: only the watcher can notice the change.
    const reg = await createTenantRegistry({ path, pollIntervalMs: 0 });
    try {
      strictEqual(await reg.authenticate("tok-new"), null);
      await writeTenantsFile(
        path,
        file(await tenantWithTokens("tenant-new", 9, [{ token: "tok-new", id: "kn" }])),
      );
      await pollUntil(async () => (await reg.authenticate("tok-new")) !== null, 5000, "reload");
      strictEqual(await reg.authenticate("tok-a"), null, "removed tenant is gone");
    } finally {
      reg.close();
    }
  });
});

Deno.test("the registry reloads a changed file by mtime polling when watching is off", async () => {
  await withFile(async (path) => {
    const reg = await createTenantRegistry({ path, watch: false, pollIntervalMs: 25 });
    try {
      const f = file(
        await tenantWithTokens("tenant-a", 1, [{ token: "tok-a", id: "ka", revoked: true }]),
      );
      await writeTenantsFile(path, f);
      await pollUntil(async () => (await reg.authenticate("tok-a")) === null, 5000, "revocation");
      f.tenants[0]!.tokens[0]!.revoked = false;
      f.tenants[0]!.enabled = false;
      await writeTenantsFile(path, f);
      await pollUntil(() => reg.get("tenant-a")?.enabled === false, 5000, "disable");
      strictEqual(await reg.authenticate("tok-a"), null);
    } finally {
      reg.close();
    }
  });
});

Deno.test("a broken file keeps the last good config and logs an error", async () => {
  await withFile(async (path) => {
    const { lines, logger } = captureLogger();
    const reg = await createTenantRegistry({ path, logger, pollIntervalMs: 25 });
    try {
      await Deno.writeTextFile(
        path,
        "tenants: [{id: tenant-a, numeric_id: 1}, {id: tenant-a, numeric_id: 2}]",
      );
      await pollUntil(
        () => lines.some((l) => l.level === "error"),
        5000,
        "error log",
      );
      const err = lines.find((l) => l.level === "error")!;
      ok(String(err.error).includes("duplicate tenant id"), String(err.error));
      strictEqual((await reg.authenticate("tok-a"))?.id, "tenant-a", "last good config kept");
      await rejects(reg.reload(), /duplicate tenant id/);
      strictEqual((await reg.authenticate("tok-b"))?.id, "tenant-b");
      // Fixing the file is picked up again.
      await writeTenantsFile(
        path,
        file(await tenantWithTokens("tenant-z", 5, [{ token: "tok-z", id: "kz" }])),
      );
      await pollUntil(async () => (await reg.authenticate("tok-z")) !== null, 5000, "recovery");
    } finally {
      reg.close();
    }
  });
});

Deno.test("authenticate() finds a token in any position among many tenants", async () => {
  const { dir, path } = await tempTenantsPath();
  try {
    const tenants = [];
    for (let i = 0; i < 50; i++) {
      tenants.push(await tenantWithTokens(`t${i}`, i + 1, [{ token: `tok-${i}`, id: "k" }]));
    }
    await writeTenantsFile(path, file(...tenants));
    const reg = await createTenantRegistry({ path, watch: false, pollIntervalMs: 0 });
    try {
      for (const i of [0, 1, 25, 48, 49]) {
        strictEqual((await reg.authenticate(`tok-${i}`))?.id, `t${i}`);
      }
      strictEqual(await reg.authenticate("tok-50"), null);
    } finally {
      reg.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
