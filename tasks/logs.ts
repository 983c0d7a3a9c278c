/**
 * `deno task logs <component> [-f]`: prints a component's log (the last 200 lines; with
 * `-f`, keeps following it). In compose mode it runs `docker compose logs`.
 *
 * @module
 */
import {
  componentPaths,
  STACK_COMPONENTS,
  type StackComponent,
  stackLayout,
} from "./infra/stack.ts";

if (import.meta.main) {
  const follow = Deno.args.includes("-f") || Deno.args.includes("--follow");
  const name = Deno.args.find((a) => !a.startsWith("-"));
  const l = stackLayout();
  const mode = await Deno.readTextFile(l.modeFile).then((t) => t.trim(), () => "native");
  if (!name) {
    console.error(
      `usage: deno task logs <component> [-f]   components: ${STACK_COMPONENTS.join(", ")}`,
    );
    Deno.exit(2);
  }
  if (mode === "compose") {
    const args = ["compose", "-f", `${l.root}/compose.yaml`, "logs", "--tail", "200"];
    if (follow) args.push("-f");
    const out = await new Deno.Command("docker", { args: [...args, name], cwd: l.root }).spawn()
      .status;
    Deno.exit(out.code);
  }
  if (!(STACK_COMPONENTS as readonly string[]).includes(name)) {
    console.error(`logs: unknown component ${name}; one of ${STACK_COMPONENTS.join(", ")}`);
    Deno.exit(2);
  }
  const { logFile } = componentPaths(l, name as StackComponent);
  if (!(await Deno.stat(logFile).then(() => true, () => false))) {
    console.error(`logs: no log yet at ${logFile}`);
    Deno.exit(1);
  }
  const out = await new Deno.Command("tail", {
    args: ["-n", "200", ...(follow ? ["-F"] : []), logFile],
    stdin: "null",
  }).spawn().status;
  Deno.exit(out.code);
}
