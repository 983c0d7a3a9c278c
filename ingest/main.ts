/**
 * `ingest`: the public write service. Configuration comes from `OBSTACK_*` environment
 * variables (see docs/operations.md); `--version` prints the version.
 *
 * @module
 */
import { ConfigError } from "../lib/config/mod.ts";
import { printVersionIfAsked } from "../lib/version.ts";
import { loadIngestConfig } from "./config.ts";
import { startIngest } from "./service.ts";

if (import.meta.main) {
  if (printVersionIfAsked("obstack-ingest", Deno.args)) Deno.exit(0);
  let config;
  try {
    config = loadIngestConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`ingest: invalid configuration:\n${err.message}`);
      Deno.exit(2);
    }
    throw err;
  }
  const svc = await startIngest(config);
  const stop = () => {
    svc.stop().then(() => Deno.exit(0), () => Deno.exit(1));
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
}
