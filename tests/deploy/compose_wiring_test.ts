/**
 * compose.yaml parsed and checked against the pipeline it must run: components present, images
 * pinned, health checks and ordered start-up, ingest only behind Kong, the services' env names,
 * values and ports matching their config schemas, Loki and Tempo multi-tenant, data in named
 * volumes, memory limits, no secret in the file.
 *
 * What no test here can do: pull the images or start the containers (no Docker engine on the
 * build machines). docs/operations.md says so.
 */
import assert from "node:assert/strict";
import { consoleSchema, loadConsoleConfig } from "../../console/config.ts";
import { forwarderSchema, loadForwarderConfig } from "../../forwarder/config.ts";
import { ingestSchema, loadIngestConfig } from "../../ingest/config.ts";
import { type ConfigSchema, parseListen } from "../../lib/config/mod.ts";
import { serviceBuilds } from "../../tasks/build.ts";
import {
  allStrings,
  type ComposeFile,
  type ComposeService,
  interpolate,
  loadCompose,
  loadEnvExample,
  OBSTACK_SERVICES,
  parseYaml,
  readRepoFile,
  serviceEnv,
  varRefs,
} from "./_stack.ts";

const compose: ComposeFile = await loadCompose();
const envExample = await loadEnvExample();
const services = compose.services;

const SCHEMAS: Record<(typeof OBSTACK_SERVICES)[number], ConfigSchema> = {
  ingest: ingestSchema,
  forwarder: forwarderSchema,
  console: consoleSchema,
};
const LOADERS = {
  ingest: loadIngestConfig,
  forwarder: loadForwarderConfig,
  console: loadConsoleConfig,
};
const LISTEN_ENV = {
  ingest: "OBSTACK_INGEST_LISTEN",
  forwarder: "OBSTACK_FORWARDER_LISTEN",
  console: "OBSTACK_CONSOLE_LISTEN",
} as const;

function svc(name: string): ComposeService {
  const s = services[name];
  assert.ok(s, `compose.yaml has no service "${name}"`);
  return s;
}

function isDemo(s: ComposeService): boolean {
  return (s.profiles ?? []).includes("demo");
}

function isOneShot(s: ComposeService): boolean {
  return s.restart === "no";
}

function healthTest(s: ComposeService): string {
  const t = s.healthcheck?.test;
  return Array.isArray(t) ? t.join(" ") : t ?? "";
}

/** The port a service listens on, from its env (as compose sets it) or its schema default. */
function listenPort(name: (typeof OBSTACK_SERVICES)[number]): number {
  const env = serviceEnv(svc(name), envExample);
  const raw = env[LISTEN_ENV[name]] ??
    String(
      SCHEMAS[name][
        Object.keys(SCHEMAS[name]).find((k) => SCHEMAS[name][k]!.env === LISTEN_ENV[name])!
      ]!.default,
    );
  const l = parseListen(raw);
  assert.ok(l, `${name}: ${LISTEN_ENV[name]}=${raw} is not host:port`);
  return l.port;
}

/** Container port of each `ports:` entry, interpolated with .env.example. */
function publishedContainerPorts(s: ComposeService): number[] {
  return (s.ports ?? []).map((p) => {
    assert.equal(typeof p, "string", "ports must use the short syntax");
    const parts = interpolate(p as string, envExample).split(":");
    return Number(parts[parts.length - 1]!.split("/")[0]);
  });
}

function hostPort(url: string): { host: string; port: number } {
  const m = /^(?:[a-z]+:\/\/)?([^/:]+):(\d+)/.exec(url);
  assert.ok(m, `no host:port in ${url}`);
  return { host: m[1]!, port: Number(m[2]) };
}

Deno.test("compose.yaml has every component the pipeline needs", () => {
  for (
    const name of [
      "kong",
      "ingest",
      "redpanda",
      "redpanda-init",
      "redpanda-console",
      "forwarder",
      "prometheus",
      "tempo",
      "loki",
      "opensearch",
      "opensearch-dashboards",
      "console",
      "otel-collector",
    ]
  ) svc(name);
  // The collector that sends sample data is demo-only; the pipeline itself is not.
  assert.ok(isDemo(svc("otel-collector")), "otel-collector belongs in the demo profile");
  for (const name of ["kong", "ingest", "forwarder", "console", "redpanda", "opensearch"]) {
    assert.ok(!isDemo(svc(name)), `${name} must not be limited to a profile`);
  }
  for (const name of OBSTACK_SERVICES) {
    const b = svc(name).build;
    assert.ok(b && typeof b === "object", `${name} is built from the project`);
    assert.equal(b.target, name, `${name} builds Dockerfile target ${name}`);
  }
});

Deno.test("compose.yaml pins every image version (no latest, no bare name)", () => {
  for (const [name, s] of Object.entries(services)) {
    if (s.build) {
      assert.equal(s.image, undefined, `${name}: built locally, no image name to pin`);
      continue;
    }
    assert.ok(s.image, `${name}: neither image nor build`);
    const tag = /:([^/:@]+)$/.exec(s.image)?.[1];
    assert.ok(tag, `${name}: image ${s.image} has no tag`);
    assert.notEqual(tag, "latest", `${name}: ${s.image} uses latest`);
    assert.match(tag, /\d+\.\d+/, `${name}: ${s.image} tag is not a version`);
  }
});

Deno.test("Dockerfile pins its base images and builds the binaries tasks/build.ts names", async () => {
  const text = await readRepoFile("Dockerfile");
  const args = Object.fromEntries(
    [...text.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  const stages = new Set<string>();
  for (const m of text.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)) {
    const image = m[1]!.replace(/\$\{(\w+)\}/g, (_a, n: string) => args[n] ?? "");
    if (m[2]) stages.add(m[2]);
    if (stages.has(image)) continue; // FROM an earlier stage
    const tag = /:([^/:@]+)$/.exec(image)?.[1];
    assert.ok(tag && tag !== "latest" && /\d/.test(tag), `Dockerfile: ${m[1]} is not pinned`);
  }
  for (const b of serviceBuilds()) {
    assert.ok(stages.has(b.name), `Dockerfile has no stage ${b.name}`);
    assert.match(text, new RegExp(`COPY --from=build /src/dist/${b.binary} `), b.name);
    const stage = text.split(/^FROM /m).find((s) => new RegExp(` AS ${b.name}\\n`).test(s))!;
    const expose = /^EXPOSE (\d+)$/m.exec(stage)?.[1];
    assert.equal(Number(expose), listenPort(b.name), `${b.name}: EXPOSE vs listen port`);
  }
  assert.match(text, /RUN deno task build/, "the image builds with the same task operators run");
});

Deno.test("every long-running service has a health check and dependants wait for it", () => {
  for (const [name, s] of Object.entries(services)) {
    const exempt = isOneShot(s) || isDemo(s);
    if (!exempt) assert.ok(healthTest(s) !== "", `${name} has no health check`);
    if (s.healthcheck) assert.notEqual(s.healthcheck.disable, true, name);
    const deps = s.depends_on ?? {};
    assert.ok(!Array.isArray(deps), `${name}: depends_on must state a condition`);
    for (const [dep, { condition }] of Object.entries(deps)) {
      const d = svc(dep);
      if (condition === "service_healthy") {
        assert.ok(healthTest(d) !== "", `${name} waits for ${dep} to be healthy: no check`);
      } else if (condition === "service_completed_successfully") {
        assert.ok(isOneShot(d), `${name} waits for ${dep} to complete: not one-shot`);
      } else {
        // Only demo clients (distroless images, no way to probe) may start on "started".
        assert.ok(isDemo(s) && isDemo(d), `${name} → ${dep}: condition ${condition}`);
      }
      if (!isDemo(s)) assert.ok(!isDemo(d), `${name} depends on demo-only ${dep}`);
    }
  }
  // Ingest must not take traffic before its topics exist (a send to a missing topic hangs).
  const ingestDeps = svc("ingest").depends_on as Record<string, { condition: string }>;
  assert.equal(ingestDeps["redpanda-init"]?.condition, "service_completed_successfully");
  const kongDeps = svc("kong").depends_on as Record<string, { condition: string }>;
  assert.equal(kongDeps.ingest?.condition, "service_healthy");
});

Deno.test("only Kong's TLS proxy and the console are published; ingest is reachable only through Kong", async () => {
  const published = Object.entries(services).filter(([, s]) => (s.ports ?? []).length > 0)
    .map(([n]) => n).sort();
  assert.deepEqual(published, ["console", "kong"]);
  for (const [name, s] of Object.entries(services)) {
    assert.notEqual(s.network_mode, "host", `${name} must not share the host network`);
  }
  // Kong publishes its proxy listener, and that listener is TLS only.
  const kongEnv = serviceEnv(svc("kong"), envExample);
  const listeners = kongEnv.KONG_PROXY_LISTEN!.split(",").map((l) => l.trim());
  for (const l of listeners) assert.match(l, /\sssl(\s|$)/, `Kong listener without TLS: ${l}`);
  const proxyPorts = listeners.map((l) => Number(/:(\d+)\s/.exec(l)![1]));
  assert.deepEqual(publishedContainerPorts(svc("kong")), proxyPorts);
  assert.deepEqual(publishedContainerPorts(svc("console")), [listenPort("console")]);
  // Kong's upstreams are the services' listen ports.
  const kong = parseYaml(await readRepoFile("kong/kong.yaml")) as {
    services: { name: string; url: string }[];
  };
  for (const name of ["ingest", "console"] as const) {
    const ks = kong.services.find((s) => s.name === name);
    assert.ok(ks, `kong.yaml has no service ${name}`);
    assert.deepEqual(hostPort(ks.url), { host: name, port: listenPort(name) });
  }
});

Deno.test("Obstack services' env names and values match their config schemas", () => {
  for (const name of OBSTACK_SERVICES) {
    const s = svc(name);
    const known = new Set(Object.values(SCHEMAS[name]).map((x) => x.env));
    const env = serviceEnv(s, envExample);
    for (const key of Object.keys(env)) {
      if (!key.startsWith("OBSTACK_")) continue;
      assert.ok(known.has(key), `${name}: ${key} is not a setting of ${name}`);
    }
    // The whole environment loads: values valid, cross-setting rules satisfied.
    LOADERS[name](env);
    const port = listenPort(name);
    assert.match(healthTest(s), new RegExp(`127\\.0\\.0\\.1:${port}/(readyz|healthz)`), name);
  }
});

Deno.test("compose's own variables are all listed in .env.example, and only they", async () => {
  const text = await readRepoFile("compose.yaml");
  const used = new Set(varRefs(text).map((r) => r.name));
  const listed = new Set(Object.keys(envExample));
  assert.deepEqual([...used].filter((v) => !listed.has(v)), [], "used but not in .env.example");
  assert.deepEqual([...listed].filter((v) => !used.has(v)), [], "in .env.example but unused");
  // .env.example values are the defaults of compose.yaml, except secrets (empty there).
  for (const r of varRefs(text)) {
    if (r.fallback !== undefined && envExample[r.name] !== "") {
      assert.equal(envExample[r.name], r.fallback, `${r.name}: .env.example vs default`);
    }
  }
});

Deno.test("no secret is written in compose.yaml", async () => {
  const secretKey = /(TOKEN|PASSWORD|SECRET|_KEY)$/i;
  for (const [name, s] of Object.entries(services)) {
    for (const [k, v] of Object.entries(s.environment ?? {})) {
      if (!secretKey.test(k) || /(_FILE|_PATH|_CERT_KEY)$/.test(k)) continue;
      const refs = varRefs(String(v));
      assert.ok(
        refs.length === 1 && String(v).trim() === String(v).match(/\$\{[^}]*\}/)![0],
        `${name}: ${k} must come from the env file`,
      );
      assert.ok(!refs[0]!.fallback, `${name}: ${k} has a default in compose.yaml`);
      assert.equal(envExample[refs[0]!.name], "", `${refs[0]!.name} must be empty in .env.example`);
    }
  }
  // Nothing that looks like an Obstack token, a PEM key or a password assignment.
  const text = await readRepoFile("compose.yaml");
  assert.doesNotMatch(text, /obs_[A-Za-z0-9_-]{20,}/);
  assert.doesNotMatch(text, /BEGIN [A-Z ]*PRIVATE KEY/);
  for (const str of allStrings(compose)) {
    assert.doesNotMatch(str, /(password|passwd)\s*[=:]\s*[^$\s{]/i, str);
  }
});

Deno.test("the forwarder and console use this stack's Tempo, Loki, Prometheus and OpenSearch", async () => {
  const tempo = parseYaml(await readRepoFile("deploy/tempo/tempo.yaml")) as {
    server: { http_listen_port: number };
    distributor: { receivers: { otlp: { protocols: Record<string, { endpoint: string }> } } };
  };
  const loki = parseYaml(await readRepoFile("deploy/loki/loki.yaml")) as {
    server: { http_listen_port: number };
  };
  const fwd = serviceEnv(svc("forwarder"), envExample);
  const cfg = loadForwarderConfig(fwd);
  assert.equal(cfg.tracesBackend, "tempo");
  assert.equal(cfg.logsBackend, "loki");
  const tracesReceiver = tempo.distributor.receivers.otlp.protocols[cfg.tracesProtocol];
  assert.ok(tracesReceiver, `Tempo has no OTLP ${cfg.tracesProtocol} receiver`);
  assert.deepEqual(hostPort(cfg.tracesEndpoint), {
    host: "tempo",
    port: hostPort(tracesReceiver.endpoint).port,
  });
  assert.deepEqual(hostPort(cfg.lokiUrl), { host: "loki", port: loki.server.http_listen_port });
  assert.deepEqual(hostPort(cfg.prometheusUrl), { host: "prometheus", port: 9090 });
  assert.match(cfg.prometheusUrl, /\/api\/v1\/write$/);
  assert.deepEqual(hostPort(cfg.opensearchUrl), { host: "opensearch", port: 9200 });
  assert.equal(cfg.opensearchReplicas, 0, "a single OpenSearch node cannot hold replicas");

  const con = loadConsoleConfig(serviceEnv(svc("console"), envExample));
  assert.equal(con.tracesBackend, "tempo");
  assert.equal(con.logsBackend, "loki");
  assert.deepEqual(hostPort(con.tracesUrl), { host: "tempo", port: tempo.server.http_listen_port });
  assert.deepEqual(hostPort(con.logsUrl), { host: "loki", port: loki.server.http_listen_port });
  assert.deepEqual(hostPort(con.prometheusUrl), { host: "prometheus", port: 9090 });
  assert.deepEqual(hostPort(con.opensearchUrl), { host: "opensearch", port: 9200 });

  const prom = svc("prometheus").command as string[];
  assert.ok(
    prom.includes("--web.enable-remote-write-receiver"),
    "Prometheus must accept remote write",
  );
  assert.ok(prom.includes("--web.listen-address=0.0.0.0:9090"));
});

Deno.test("Loki and Tempo run multi-tenant with the config files from deploy/", async () => {
  const loki = parseYaml(await readRepoFile("deploy/loki/loki.yaml")) as Record<string, unknown>;
  assert.equal(loki.auth_enabled, true, "Loki: auth_enabled makes X-Scope-OrgID mandatory");
  const tempo = parseYaml(await readRepoFile("deploy/tempo/tempo.yaml")) as Record<string, unknown>;
  assert.equal(tempo.multitenancy_enabled, true, "Tempo: multitenancy_enabled");
  for (
    const [name, file] of [["loki", "deploy/loki/loki.yaml"], ["tempo", "deploy/tempo/tempo.yaml"]]
  ) {
    const s = svc(name!);
    const cmd = (s.command as string[]).join(" ");
    const inContainer = /-config\.file=(\S+)/.exec(cmd)?.[1];
    assert.ok(inContainer, `${name}: no -config.file`);
    assert.ok(
      (s.volumes ?? []).includes(`./${file}:${inContainer}:ro`),
      `${name}: ${file} is not mounted at ${inContainer}`,
    );
  }
});

Deno.test("stateful services keep their data in declared named volumes", () => {
  const declared = new Set(Object.keys(compose.volumes ?? {}));
  const stateful: Record<string, string> = {
    redpanda: "/var/lib/redpanda/data",
    opensearch: "/usr/share/opensearch/data",
    prometheus: "/prometheus",
    loki: "/loki",
    tempo: "/var/tempo",
  };
  for (const [name, path] of Object.entries(stateful)) {
    const vol = (svc(name).volumes ?? []).find((v) => v.split(":")[1] === path);
    assert.ok(vol, `${name}: nothing mounted at ${path}`);
    assert.ok(declared.has(vol.split(":")[0]!), `${name}: ${vol} is not a named volume`);
  }
  for (const [name, s] of Object.entries(services)) {
    for (const v of s.volumes ?? []) {
      const src = v.split(":")[0]!;
      if (/^[.$/]/.test(src)) continue; // bind mount
      assert.ok(declared.has(src), `${name}: volume ${src} is not declared`);
    }
  }
});

Deno.test("every service has a memory limit", () => {
  for (const [name, s] of Object.entries(services)) {
    assert.match(String(s.mem_limit ?? ""), /^\d+[kmg]$/, `${name}: mem_limit`);
  }
});

Deno.test("redpanda-init creates exactly the topics ingest and the forwarder use", async () => {
  const init = serviceEnv(svc("redpanda-init"), envExample);
  const ingest = serviceEnv(svc("ingest"), envExample);
  const fwd = serviceEnv(svc("forwarder"), envExample);
  for (const t of ["LOGS", "METRICS", "TRACES", "DLQ"]) {
    const key = `OBSTACK_TOPIC_${t}`;
    assert.ok(init[key], `redpanda-init: ${key}`);
    assert.equal(ingest[key], init[key], `ingest ${key}`);
    assert.equal(fwd[key], init[key], `forwarder ${key}`);
  }
  assert.equal(init.OBSTACK_KAFKA_BROKERS, ingest.OBSTACK_KAFKA_BROKERS);
  assert.equal(fwd.OBSTACK_KAFKA_BROKERS, ingest.OBSTACK_KAFKA_BROKERS);
  const script = await readRepoFile("deploy/redpanda/create_topics.sh");
  for (const t of ["LOGS", "METRICS", "TRACES", "DLQ"]) {
    assert.match(script, new RegExp(`ensure_topic "\\$\\{OBSTACK_TOPIC_${t}`));
  }
  assert.ok(
    (svc("redpanda-init").volumes ?? []).some((v) =>
      v.startsWith("./deploy/redpanda/create_topics.sh:")
    ),
  );
  const cmd = (svc("redpanda").command as string[]).join(" ");
  assert.match(cmd, /--advertise-kafka-addr=\S*redpanda:9092/, "brokers advertise redpanda:9092");
  // dev-container mode disables fsync (acks would not mean durable) and auto-creates topics.
  assert.doesNotMatch(cmd, /dev-container/);
});

Deno.test("Prometheus scrapes the services that have /metrics on their listen ports", async () => {
  const prom = parseYaml(await readRepoFile("deploy/prometheus/prometheus.yml")) as {
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  // The console has no self-metrics endpoint: its /metrics is the Metrics page of the UI.
  assert.ok(!prom.scrape_configs.some((j) => j.job_name === "obstack-console"));
  for (const name of ["ingest", "forwarder"] as const) {
    const job = prom.scrape_configs.find((j) => j.job_name === `obstack-${name}`);
    assert.ok(job, `no scrape job obstack-${name}`);
    assert.deepEqual(job.static_configs.flatMap((c) => c.targets), [`${name}:${listenPort(name)}`]);
  }
});
