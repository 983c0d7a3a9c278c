/**
 * `deno task tenant …`: tenant administration on the tenants YAML file.
 *
 * ```
 * deno task tenant create <id> [--name N] [--numeric-id N] [--rps N] [--bytes-per-second N]
 * deno task tenant token issue <id>
 * deno task tenant token revoke <id> <token-id>
 * deno task tenant list [--json]
 * deno task tenant disable <id> | enable <id>
 * deno task tenant user add <id> <name> [--password P]   (else the password is read from stdin)
 * ```
 * Every command takes `--file PATH` (default: `$OBSTACK_TENANTS_FILE`, else `tenants.yaml`).
 * `create` and `token issue` print the new token once, alone on the last line of stdout, so a
 * script can capture it with `| tail -n 1`. Only its hash is stored.
 *
 * Exit codes: 0 success, 1 the operation failed (unknown tenant, duplicate id, invalid file),
 * 2 usage error.
 * @module
 */
import { parseArgs } from "node:util";
import { parseBytes } from "../lib/config/mod.ts";
import {
  generateToken,
  hashPassword,
  hashToken,
  isValidTenantId,
  readTenantsFile,
  type TenantRecord,
  type TenantsFile,
  toHex,
  writeTenantsFile,
} from "../lib/tenant/mod.ts";

/** A failure with the exit code to end with. */
class CliError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
  }
}

const USAGE = `usage: deno task tenant <command> [--file PATH]
  create <id> [--name N] [--numeric-id N] [--rps N] [--bytes-per-second N]
                               create a tenant and print its first token (last line)
  token issue <id>             issue a new token (printed once, last line)
  token revoke <id> <token-id> revoke a token
  list [--json]                list tenants (never prints hashes)
  disable <id> | enable <id>   stop / allow a tenant's tokens
  user add <id> <name> [--password P]
                               add a console user (password from stdin if not given)
--file defaults to $OBSTACK_TENANTS_FILE, else tenants.yaml.`;

function usage(msg: string): never {
  throw new CliError(`${msg}\n${USAGE}`, 2);
}

function findTenant(file: TenantsFile, id: string): TenantRecord {
  const t = file.tenants.find((x) => x.id === id);
  if (!t) throw new CliError(`no tenant "${id}"`);
  return t;
}

/** Next numeric id: one above the highest ever used, so an id is never handed out twice. */
function nextNumericId(file: TenantsFile): number {
  return file.tenants.reduce((m, t) => Math.max(m, t.numericId), 0) + 1;
}

async function newToken(t: TenantRecord): Promise<string> {
  const token = generateToken();
  let id: string;
  do id = toHex(crypto.getRandomValues(new Uint8Array(4))); while (
    t.tokens.some((k) => k.id === id)
  );
  t.tokens.push({
    id,
    hash: await hashToken(token),
    created: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    revoked: false,
  });
  return token;
}

function positiveNumber(
  flag: string,
  v: string | undefined,
  parse: (s: string) => number | undefined = Number,
): number | undefined {
  if (v === undefined) return undefined;
  const n = parse(v);
  if (n === undefined || !Number.isFinite(n) || n <= 0) {
    usage(`--${flag} must be a positive number, got ${JSON.stringify(v)}`);
  }
  return n;
}

async function readPassword(): Promise<string> {
  if (Deno.stdin.isTerminal()) {
    await Deno.stderr.write(new TextEncoder().encode("password (input is echoed): "));
    const line = prompt("");
    return line ?? "";
  }
  const text = new TextDecoder().decode(await new Response(Deno.stdin.readable).arrayBuffer());
  return text.replace(/\r?\n$/, "");
}

/** Runs the CLI with `args`; returns the lines for stdout. */
async function run(args: string[], out: (line: string) => void): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        file: { type: "string" },
        name: { type: "string" },
        "numeric-id": { type: "string" },
        rps: { type: "string" },
        "bytes-per-second": { type: "string" },
        password: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    usage(e instanceof Error ? e.message : String(e));
  }
  const { values: o, positionals: p } = parsed;
  if (o.help || p.length === 0) {
    if (o.help) {
      out(USAGE);
      return;
    }
    usage("missing command");
  }
  const path = o.file ?? (Deno.env.get("OBSTACK_TENANTS_FILE") || "tenants.yaml");
  const load = async () => {
    try {
      return await readTenantsFile(path, { missingOk: true });
    } catch (e) {
      throw new CliError(`cannot read ${path}: ${e instanceof Error ? e.message : e}`);
    }
  };
  const idArg = (i: number, what = "tenant id"): string => {
    const v = p[i];
    if (v === undefined) usage(`missing ${what}`);
    return v;
  };
  const noMore = (n: number) => {
    if (p.length > n) usage(`unexpected argument ${JSON.stringify(p[n])}`);
  };
  const cmd = `${p[0]}${p[0] === "token" || p[0] === "user" ? " " + (p[1] ?? "") : ""}`;

  switch (cmd) {
    case "create": {
      const id = idArg(1);
      noMore(2);
      if (!isValidTenantId(id)) {
        usage(`invalid tenant id ${JSON.stringify(id)}: use ^[a-z0-9][a-z0-9-]{0,62}$`);
      }
      const numeric = positiveNumber("numeric-id", o["numeric-id"]);
      if (numeric !== undefined && !Number.isSafeInteger(numeric)) {
        usage("--numeric-id must be a positive integer");
      }
      const rps = positiveNumber("rps", o.rps);
      const bps = positiveNumber("bytes-per-second", o["bytes-per-second"], parseBytes);
      const file = await load();
      if (file.tenants.some((t) => t.id === id)) {
        throw new CliError(`tenant "${id}" already exists`);
      }
      const numericId = numeric ?? nextNumericId(file);
      const owner = file.tenants.find((t) => t.numericId === numericId);
      if (owner) {
        throw new CliError(`numeric id ${numericId} is already used by tenant "${owner.id}"`);
      }
      const t: TenantRecord = {
        id,
        numericId,
        name: o.name ?? id,
        enabled: true,
        tokens: [],
        limits: {},
        users: [],
      };
      if (rps !== undefined) t.limits.requestsPerSecond = rps;
      if (bps !== undefined) t.limits.bytesPerSecond = bps;
      const token = await newToken(t);
      file.tenants.push(t);
      await writeTenantsFile(path, file);
      out(`created tenant ${id} (numeric id ${numericId}) in ${path}`);
      out(`token ${t.tokens[0]!.id} (shown once, only its hash is stored):`);
      out(token);
      return;
    }
    case "token issue": {
      const id = idArg(2);
      noMore(3);
      const file = await load();
      const t = findTenant(file, id);
      const token = await newToken(t);
      await writeTenantsFile(path, file);
      out(`token ${t.tokens.at(-1)!.id} for tenant ${id} (shown once, only its hash is stored):`);
      out(token);
      return;
    }
    case "token revoke": {
      const id = idArg(2);
      const tokenId = idArg(3, "token id");
      noMore(4);
      const file = await load();
      const t = findTenant(file, id);
      const k = t.tokens.find((x) => x.id === tokenId);
      if (!k) throw new CliError(`tenant "${id}" has no token "${tokenId}"`);
      if (k.revoked) {
        out(`token ${tokenId} of tenant ${id} was already revoked`);
        return;
      }
      k.revoked = true;
      await writeTenantsFile(path, file);
      out(`revoked token ${tokenId} of tenant ${id}`);
      return;
    }
    case "list": {
      noMore(1);
      const file = await load();
      const rows = file.tenants.map((t) => ({
        id: t.id,
        numeric_id: t.numericId,
        name: t.name,
        enabled: t.enabled,
        tokens: t.tokens.map((k) => ({ id: k.id, created: k.created, revoked: k.revoked })),
        limits: {
          requests_per_second: t.limits.requestsPerSecond ?? null,
          bytes_per_second: t.limits.bytesPerSecond ?? null,
        },
        users: t.users.map((u) => u.name),
      }));
      if (o.json) {
        out(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) {
        out(`no tenants in ${path}`);
        return;
      }
      for (const r of rows) {
        const active = r.tokens.filter((k) => !k.revoked).map((k) => k.id);
        const revoked = r.tokens.filter((k) => k.revoked).map((k) => k.id);
        out(
          [
            r.id,
            `numeric_id=${r.numeric_id}`,
            `name=${JSON.stringify(r.name)}`,
            r.enabled ? "enabled" : "DISABLED",
            `tokens=${active.join(",") || "-"}`,
            `revoked=${revoked.join(",") || "-"}`,
            `rps=${r.limits.requests_per_second ?? "default"}`,
            `bytes_per_second=${r.limits.bytes_per_second ?? "default"}`,
            `users=${r.users.join(",") || "-"}`,
          ].join("  "),
        );
      }
      return;
    }
    case "disable":
    case "enable": {
      const id = idArg(1);
      noMore(2);
      const file = await load();
      const t = findTenant(file, id);
      t.enabled = cmd === "enable";
      await writeTenantsFile(path, file);
      out(`tenant ${id} ${cmd}d`);
      return;
    }
    case "user add": {
      const id = idArg(2);
      const name = idArg(3, "user name");
      noMore(4);
      if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) {
        usage(`invalid user name ${JSON.stringify(name)}: use 1–64 of A-Z a-z 0-9 . _ @ -`);
      }
      const file = await load();
      const t = findTenant(file, id);
      if (t.users.some((u) => u.name === name)) {
        throw new CliError(`tenant "${id}" already has a user "${name}"`);
      }
      const password = o.password ?? await readPassword();
      if (password.length < 8) throw new CliError("password must be at least 8 characters");
      t.users.push({ name, passwordHash: await hashPassword(password) });
      await writeTenantsFile(path, file);
      out(`added user ${name} to tenant ${id}`);
      return;
    }
    default:
      usage(`unknown command ${JSON.stringify(p.slice(0, 2).join(" "))}`);
  }
}

if (import.meta.main) {
  const lines: string[] = [];
  try {
    await run(Deno.args, (l) => lines.push(l));
    console.log(lines.join("\n"));
  } catch (e) {
    if (lines.length) console.log(lines.join("\n"));
    if (e instanceof CliError) {
      console.error(`tenant: ${e.message}`);
      Deno.exit(e.exitCode);
    }
    console.error(`tenant: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}

export { run as runTenantCli };
