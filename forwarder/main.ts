/**
 * `forwarder`: consumes the signal topics and writes to Prometheus, the trace store, the log
 * store and OpenSearch. Configuration from `OBSTACK_*` environment variables (see
 * `forwarder/config.ts`); `--version` prints the version. SIGTERM/SIGINT stop it gracefully.
 *
 * @module
 */
import { ConfigError } from "../lib/config/mod.ts";
import { createLogger } from "../lib/log/mod.ts";
import { printVersionIfAsked } from "../lib/version.ts";
import { loadForwarderConfig } from "./config.ts";
import { createForwarderService } from "./service.ts";

if (import.meta.main) {
  if (printVersionIfAsked("obstack-forwarder", Deno.args)) Deno.exit(0);
  let config;
  try {
    config = loadForwarderConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`forwarder: invalid configuration:\n${err.message}`);
      Deno.exit(2);
    }
    throw err;
  }
  const log = createLogger("forwarder", { level: config.logLevel });
  let exiting = false;
  const svc = createForwarderService({
    config,
    log,
    // Consumption ended for good: stop cleanly and exit non-zero so a supervisor restarts us.
    onFatal: () => {
      if (exiting) return;
      exiting = true;
      svc.stop().finally(() => Deno.exit(1));
    },
  });
  const server = Deno.serve({
    hostname: config.listen.hostname,
    port: config.listen.port,
    onListen: ({ hostname, port }) =>
      log.info("admin endpoint listening", { addr: `${hostname}:${port}` }),
  }, svc.handler);
  const stop = () => {
    if (exiting) return;
    exiting = true;
    svc.stop()
      .then(() => server.shutdown())
      .then(() => Deno.exit(0), (e) => {
        log.error("shutdown failed", { error: e });
        Deno.exit(1);
      });
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  try {
    await svc.start();
  } catch (e) {
    if (!exiting) {
      log.error("forwarder failed to start", { error: e });
      Deno.exit(1);
    }
  }
}
