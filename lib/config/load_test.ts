import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError, defineSetting, describeSettings, loadConfig } from "./mod.ts";

const testdata = new URL("./testdata/", import.meta.url).pathname;

const schema = {
  listen: defineSetting({
    env: "T_LISTEN",
    key: "ingest.listen",
    type: "listen",
    default: "0.0.0.0:4318",
    description: "Listen address.",
  }),
  maxBody: defineSetting({
    env: "T_MAX_BODY",
    key: "ingest.max_body_bytes",
    type: "bytes",
    default: "16MiB",
    min: 1,
    description: "Max body.",
  }),
  timeout: defineSetting({
    env: "T_TIMEOUT",
    key: "ingest.publish_timeout",
    type: "duration",
    default: "10s",
    description: "Timeout.",
  }),
  brokers: defineSetting({
    env: "T_BROKERS",
    key: "kafka.brokers",
    type: "list",
    default: "127.0.0.1:19092",
    min: 1,
    description: "Brokers.",
  }),
  compression: defineSetting({
    env: "T_COMPRESSION",
    key: "kafka.compression",
    type: "enum",
    values: ["snappy", "gzip", "zstd", "none"],
    default: "snappy",
    description: "Compression.",
  }),
  level: defineSetting({
    env: "T_LEVEL",
    key: "log_level",
    type: "enum",
    values: ["debug", "info"],
    default: "info",
    description: "Level.",
  }),
  retries: defineSetting({
    env: "T_RETRIES",
    key: "retries",
    type: "int",
    default: 3,
    min: 0,
    max: 10,
    description: "Retries.",
  }),
  verbose: defineSetting({
    env: "T_VERBOSE",
    key: "verbose",
    type: "bool",
    default: false,
    description: "Verbose.",
  }),
  url: defineSetting({
    env: "T_URL",
    key: "url",
    type: "url",
    default: "http://127.0.0.1:9090",
    description: "URL.",
  }),
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

Deno.test("loadConfig() returns the defaults when nothing is set", () => {
  const c = loadConfig(schema, {});
  deepStrictEqual(c.listen, { hostname: "0.0.0.0", port: 4318 });
  strictEqual(c.maxBody, 16 * 1024 * 1024);
  strictEqual(c.timeout, 10_000);
  deepStrictEqual(c.brokers, ["127.0.0.1:19092"]);
  strictEqual(c.compression, "snappy");
  strictEqual(c.retries, 3);
  strictEqual(c.verbose, false);
  strictEqual(c.url, "http://127.0.0.1:9090");
});

Deno.test("loadConfig() lets the file override defaults and the env override the file", () => {
  const fromFile = loadConfig(schema, {}, `${testdata}good.yaml`);
  deepStrictEqual(fromFile.listen, { hostname: "127.0.0.1", port: 9999 });
  strictEqual(fromFile.maxBody, 10 * 1024 * 1024);
  strictEqual(fromFile.timeout, 250);
  deepStrictEqual(fromFile.brokers, ["k1:9092", "k2:9092"]);
  strictEqual(fromFile.compression, "zstd");
  strictEqual(fromFile.level, "debug");

  const env = {
    T_MAX_BODY: "1000000",
    T_BROKERS: "a:1, b:2,",
    T_LISTEN: ":8080",
    T_VERBOSE: "yes",
  };
  const both = loadConfig(schema, env, `${testdata}good.yaml`);
  strictEqual(both.maxBody, 1_000_000);
  deepStrictEqual(both.brokers, ["a:1", "b:2"]);
  deepStrictEqual(both.listen, { hostname: "0.0.0.0", port: 8080 });
  strictEqual(both.verbose, true);
  strictEqual(both.timeout, 250, "file value kept where env is silent");
});

Deno.test("loadConfig() treats an empty environment variable as unset", () => {
  strictEqual(loadConfig(schema, { T_MAX_BODY: "" }).maxBody, 16 * 1024 * 1024);
});

Deno.test("loadConfig() errors name the setting (env and key), the bad value and the expectation", () => {
  const e = configError(() => loadConfig(schema, { T_MAX_BODY: "ten megs" }));
  strictEqual(e.issues.length, 1);
  ok(e.message.includes("T_MAX_BODY"), e.message);
  ok(e.message.includes("ingest.max_body_bytes"), e.message);
  ok(e.message.includes('"ten megs"'), e.message);
  ok(e.message.includes("16MiB"), e.message);
  ok(e.message.includes("from env"), e.message);
});

Deno.test("loadConfig() reports every invalid setting of a bad file, including unknown keys", () => {
  const e = configError(() => loadConfig(schema, {}, `${testdata}bad.yaml`));
  const named = e.issues.map((i) => i.env || i.key).sort();
  deepStrictEqual(named, ["T_COMPRESSION", "T_LISTEN", "T_MAX_BODY", "T_TIMEOUT", "kafka.brokerz"]);
  ok(e.message.includes("one of snappy, gzip, zstd, none"), e.message);
  ok(e.message.includes('"brotli"'), e.message);
  // Unknown keys may be allowed for a file shared between services.
  const e2 = configError(() =>
    loadConfig(schema, {}, `${testdata}bad.yaml`, { allowUnknownKeys: true })
  );
  strictEqual(e2.issues.some((i) => i.key === "kafka.brokerz"), false);
});

Deno.test("loadConfig() enforces min and max and rejects non-mapping or missing files", () => {
  ok(configError(() => loadConfig(schema, { T_RETRIES: "11" })).message.includes("[0, 10]"));
  configError(() => loadConfig(schema, { T_RETRIES: "1.5" }));
  configError(() => loadConfig(schema, { T_BROKERS: " , " }));
  configError(() => loadConfig(schema, { T_URL: "ftp://x" }));
  configError(() => loadConfig(schema, { T_LISTEN: "0.0.0.0:70000" }));
  configError(() => loadConfig(schema, { T_VERBOSE: "maybe" }));
  ok(
    configError(() => loadConfig(schema, {}, `${testdata}not_a_mapping.yaml`)).message.includes(
      "mapping",
    ),
  );
  ok(
    configError(() => loadConfig(schema, {}, `${testdata}missing.yaml`)).message.includes(
      "cannot read",
    ),
  );
});

Deno.test("defineSetting() rejects an invalid default or an enum without values", () => {
  throws(
    () => defineSetting({ env: "X", key: "x", type: "bytes", default: "lots", description: "" }),
    /default "lots" is invalid/,
  );
  throws(
    () => defineSetting({ env: "X", key: "x", type: "enum", default: "a", description: "" }),
    /enum needs values/,
  );
  throws(
    () =>
      defineSetting({ env: "bad name", key: "x", type: "string", default: "", description: "" }),
    /invalid env name/,
  );
});

Deno.test("describeSettings() returns env, key, default and description rows in schema order", () => {
  const rows = describeSettings(schema);
  strictEqual(rows.length, Object.keys(schema).length);
  deepStrictEqual(rows[1], {
    env: "T_MAX_BODY",
    key: "ingest.max_body_bytes",
    type: "bytes",
    default: "16MiB",
    description: "Max body.",
  });
  ok(rows[4]!.description.endsWith("One of: snappy, gzip, zstd, none."));
});
