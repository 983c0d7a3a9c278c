/**
 * docs/operations.md: its settings tables are generated from the services' config schemas by
 * `deno task docs` (tasks/docs.ts) and must equal what the code generates now.
 */
import assert from "node:assert/strict";
import { describeSettings } from "../../lib/config/mod.ts";
import { generateDoc, OPERATIONS_DOC, renderDoc, SETTINGS_SECTIONS } from "../../tasks/docs.ts";
import { readRepoFile, ROOT } from "./_stack.ts";

Deno.test("docs/operations.md equals what deno task docs generates from the config schemas", async () => {
  const committed = await readRepoFile(OPERATIONS_DOC);
  const generated = await generateDoc(committed, ROOT);
  assert.ok(
    generated === committed,
    `${OPERATIONS_DOC} is out of date with the config schemas: run \`deno task docs\``,
  );
});

Deno.test("docs/operations.md documents every setting of ingest, forwarder and console", async () => {
  const doc = await readRepoFile(OPERATIONS_DOC);
  for (const [service, schema] of Object.entries(SETTINGS_SECTIONS)) {
    const section = doc.split(`settings:${service} (deno task docs)`)[1]!.split(
      `END GENERATED settings:${service}`,
    )[0]!;
    for (const row of describeSettings(schema)) {
      assert.ok(section.includes(`\`${row.env}\``), `${service}: ${row.env} missing`);
      assert.ok(section.includes(`\`${row.key}\``), `${service}: ${row.key} missing`);
    }
  }
});

Deno.test("renderDoc() replaces a stale table and refuses a document without markers", () => {
  const doc = [
    "intro",
    "<!-- BEGIN GENERATED settings:ingest (deno task docs) -->",
    "| stale |",
    "<!-- END GENERATED settings:ingest -->",
    "outro",
  ].join("\n");
  const out = renderDoc(doc, { ingest: SETTINGS_SECTIONS.ingest! });
  assert.ok(!out.includes("| stale |"));
  assert.ok(out.includes("`OBSTACK_INGEST_LISTEN`"));
  assert.ok(out.startsWith("intro\n") && out.endsWith("\noutro"));
  assert.equal(renderDoc(out, { ingest: SETTINGS_SECTIONS.ingest! }), out, "idempotent");
  assert.throws(() => renderDoc("no markers", { ingest: SETTINGS_SECTIONS.ingest! }), /markers/);
});
