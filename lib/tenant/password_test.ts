import { ok, strictEqual } from "node:assert/strict";
import { hashPassword, verifyPassword } from "./password.ts";

Deno.test("hashPassword() salts: the same password hashes differently and both verify", async () => {
  const a = await hashPassword("correct horse", 1000);
  const b = await hashPassword("correct horse", 1000);
  ok(a !== b);
  ok(/^pbkdf2-sha256\$1000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/.test(a), a);
  strictEqual(await verifyPassword("correct horse", a), true);
  strictEqual(await verifyPassword("correct horse", b), true);
  strictEqual(await verifyPassword("correct horsf", a), false);
});

Deno.test("hashPassword() defaults to 600000 iterations", async () => {
  ok((await hashPassword("pw")).startsWith("pbkdf2-sha256$600000$"));
});

Deno.test("verifyPassword() rejects malformed or tampered hashes", async () => {
  for (
    const bad of [
      "",
      "plain",
      "md5$1$a$b",
      "pbkdf2-sha256$0$AA$AA",
      "pbkdf2-sha256$99999999999$AA$AA",
      "pbkdf2-sha256$1$!!$AA",
    ]
  ) {
    strictEqual(await verifyPassword("pw", bad), false, bad);
  }
});
