/**
 * `deno task status`: each component of the stack with its pid (alive or not), port and
 * health. In compose mode it shows `docker compose ps`.
 *
 * @module
 */
import { readPidFile } from "./infra/pid.ts";
import {
  checkHealth,
  componentPaths,
  componentPorts,
  runningPid,
  serviceEntry,
  SERVICES,
  STACK_COMPONENTS,
  type StackComponent,
  type StackLayout,
  stackLayout,
} from "./infra/stack.ts";

/** One row of the status table. */
export interface StatusRow {
  component: StackComponent;
  pid: number | undefined;
  alive: boolean;
  port: number;
  health: string;
}

/** Status of every native component (health only checked for running ones). */
export async function nativeStatus(l: StackLayout): Promise<StatusRow[]> {
  return await Promise.all(STACK_COMPONENTS.map(async (name) => {
    const recorded = readPidFile(componentPaths(l, name).pidFile);
    const pid = runningPid(l, name);
    const port = componentPorts(name, l.ports)[0]!;
    let health = "-";
    if (pid !== undefined) health = await checkHealth(name, l.ports);
    else if (SERVICES.includes(name) && !(await serviceEntry(l, name))) health = "not in checkout";
    else if (recorded !== undefined) health = "stale pid file";
    else health = "stopped";
    return { component: name, pid: pid ?? recorded, alive: pid !== undefined, port, health };
  }));
}

/** Formats rows as an aligned table. */
export function formatStatus(rows: StatusRow[]): string {
  const table = [
    ["COMPONENT", "PID", "ALIVE", "PORT", "HEALTH"],
    ...rows.map((r) => [
      r.component,
      r.pid === undefined ? "-" : String(r.pid),
      r.alive ? "yes" : "no",
      String(r.port),
      r.health,
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd())
    .join("\n");
}

if (import.meta.main) {
  const l = stackLayout();
  const mode = await Deno.readTextFile(l.modeFile).then((t) => t.trim(), () => "native");
  if (mode === "compose") {
    const out = await new Deno.Command("docker", {
      args: ["compose", "-f", `${l.root}/compose.yaml`, "ps"],
      cwd: l.root,
      stdin: "null",
    }).spawn().status;
    Deno.exit(out.code);
  }
  console.log(`state: ${l.stateDir}`);
  console.log(formatStatus(await nativeStatus(l)));
}
