/**
 * `deno task docs`: regenerates the settings reference in docs/operations.md from the services'
 * config schemas, so the documentation cannot drift from the code.
 *
 * ```
 * deno task docs            rewrite the generated sections in place
 * deno task docs --check    exit 1 (and say which sections) when the file is out of date
 * ```
 *
 * A generated section sits between two markers and is replaced whole:
 * `<!-- BEGIN GENERATED settings:ingest (deno task docs) -->` …
 * `<!-- END GENERATED settings:ingest -->`.
 *
 * @module
 */
import { consoleSchema } from "../console/config.ts";
import { forwarderSchema } from "../forwarder/config.ts";
import { ingestSchema } from "../ingest/config.ts";
import { type ConfigSchema, describeSettings, type SettingRow } from "../lib/config/mod.ts";

/** The documented schemas, by section name. */
export const SETTINGS_SECTIONS: Readonly<Record<string, ConfigSchema>> = {
  ingest: ingestSchema,
  forwarder: forwarderSchema,
  console: consoleSchema,
};

/** Path of the operations guide, relative to the repository root. */
export const OPERATIONS_DOC = "docs/operations.md";

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/**
 * A markdown table of settings: environment variable, config file key, type, default,
 * meaning.
 */
export function renderSettingsTable(rows: readonly SettingRow[]): string {
  const lines = [
    "| Environment variable | File key | Type | Default | Meaning |",
    "|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const def = r.default === "" ? "*(empty)*" : `\`${cell(r.default)}\``;
    lines.push(
      `| \`${r.env}\` | \`${r.key}\` | ${r.type} | ${def} | ${cell(r.description)} |`,
    );
  }
  return lines.join("\n");
}

function markers(section: string): { begin: string; end: string } {
  return {
    begin: `<!-- BEGIN GENERATED settings:${section} (deno task docs) -->`,
    end: `<!-- END GENERATED settings:${section} -->`,
  };
}

/**
 * Replaces every generated section of `doc` with the current tables. Throws when a
 * section's markers are missing or out of order.
 */
export function renderDoc(
  doc: string,
  sections: Readonly<Record<string, ConfigSchema>> = SETTINGS_SECTIONS,
): string {
  let out = doc;
  for (const [name, schema] of Object.entries(sections)) {
    const { begin, end } = markers(name);
    const a = out.indexOf(begin);
    const b = out.indexOf(end);
    if (a < 0 || b < 0 || b < a) {
      throw new Error(
        `${OPERATIONS_DOC}: markers of settings:${name} are missing:\n${begin}\n${end}`,
      );
    }
    const table = renderSettingsTable(describeSettings(schema));
    out = out.slice(0, a + begin.length) + "\n\n" + table + "\n\n" + out.slice(b);
  }
  return out;
}

/**
 * Formats markdown exactly as `deno fmt` does in this repository (tables are aligned), so the
 * generated file passes `deno fmt --check` and the drift check compares like with like.
 */
export async function formatMarkdown(text: string, root: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "-"],
    cwd: root,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  if (!out.success) {
    throw new Error(`deno fmt failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** The operations guide with its generated sections regenerated and formatted. */
export async function generateDoc(doc: string, root: string): Promise<string> {
  return await formatMarkdown(renderDoc(doc), root);
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname;
  const path = `${root}${OPERATIONS_DOC}`;
  const doc = await Deno.readTextFile(path);
  const check = Deno.args.includes("--check");
  let next: string;
  try {
    next = await generateDoc(doc, root);
  } catch (err) {
    console.error(`deno task docs: ${err instanceof Error ? err.message : String(err)}`);
    Deno.exit(1);
  }
  if (check) {
    if (next !== doc) {
      console.error(`deno task docs: ${OPERATIONS_DOC} is out of date; run \`deno task docs\``);
      Deno.exit(1);
    }
    console.error(`deno task docs: ${OPERATIONS_DOC} is up to date`);
  } else if (next !== doc) {
    await Deno.writeTextFile(path, next);
    console.error(`deno task docs: ${OPERATIONS_DOC} updated`);
  } else {
    console.error(`deno task docs: ${OPERATIONS_DOC} already up to date`);
  }
}
