/**
 * `deno task down [--purge] [--yes]`: stops everything `deno task up` started, by pid, in
 * reverse start order. `--purge` also deletes `.obstack/data` (after a confirmation that
 * `--yes` skips). The tenants file and the demo token are kept.
 *
 * @module
 */
import { say } from "./infra/progress.ts";
import {
  openSearchDataDir,
  STACK_COMPONENTS,
  type StackLayout,
  stackLayout,
  stopStackComponent,
} from "./infra/stack.ts";

/** Stops every native component of the stack; returns the names that were running. */
export async function downNative(l: StackLayout): Promise<string[]> {
  const stopped: string[] = [];
  for (const name of [...STACK_COMPONENTS].reverse()) {
    if (await stopStackComponent(l, name)) stopped.push(name);
  }
  return stopped;
}

async function downCompose(l: StackLayout, purge: boolean): Promise<void> {
  const args = ["compose", "-f", `${l.root}/compose.yaml`, "down"];
  if (purge) args.push("--volumes");
  say("down", `docker ${args.join(" ")}`);
  const out = await new Deno.Command("docker", { args, cwd: l.root, stdin: "null" }).spawn().status;
  if (!out.success) throw new Error(`docker compose down failed (exit ${out.code})`);
}

if (import.meta.main) {
  const purgeAsked = Deno.args.includes("--purge");
  const yes = Deno.args.includes("--yes") || Deno.args.includes("-y");
  const l = stackLayout();
  const mode = await Deno.readTextFile(l.modeFile).then((t) => t.trim(), () => "native");
  let purge = purgeAsked;
  if (purgeAsked && !yes) {
    const what = mode === "compose" ? "the compose volumes" : l.dataDir;
    const answer = prompt(`down: delete all stored data in ${what}? [y/N]`);
    purge = !!answer && /^y(es)?$/i.test(answer.trim());
    if (!purge) say("down", "not confirmed: stopping only, data kept");
  }
  if (mode === "compose") {
    await downCompose(l, purge);
  } else {
    const stopped = await downNative(l);
    say("down", stopped.length ? `stopped ${stopped.join(", ")}` : "nothing was running");
    if (purge) {
      say("down", `deleting ${l.dataDir}`);
      await Deno.remove(l.dataDir, { recursive: true }).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      });
      const os = openSearchDataDir(l);
      if (!os.startsWith(l.dataDir)) {
        say("down", `deleting ${os}`);
        await Deno.remove(os, { recursive: true }).catch(() => {});
      }
    }
  }
}
