/**
 * Rich OTLP/JSON sample requests for the tests and the benchmark: every field kind of every
 * signal (all metric types, span events/links/status, log bodies of every AnyValue kind).
 *
 * @module
 */
import type { Signal } from "./otlp.ts";

const T0 = "1700000000123456789";
const T1 = "1700000001987654321";

function attrs(prefix: string) {
  return [
    { key: `${prefix}.str`, value: { stringValue: "värde ✓" } },
    { key: `${prefix}.bool`, value: { boolValue: true } },
    { key: `${prefix}.int`, value: { intValue: "-9223372036854775808" } },
    { key: `${prefix}.double`, value: { doubleValue: 3.25 } },
    { key: `${prefix}.bytes`, value: { bytesValue: "AAEC/w==" } },
    {
      key: `${prefix}.array`,
      value: { arrayValue: { values: [{ stringValue: "a" }, { intValue: "7" }, {}] } },
    },
    {
      key: `${prefix}.kv`,
      value: { kvlistValue: { values: [{ key: "k", value: { boolValue: false } }] } },
    },
  ];
}

function resource(service: string) {
  return {
    attributes: [{ key: "service.name", value: { stringValue: service } }, ...attrs("res")],
    droppedAttributesCount: 1,
  };
}

const scope = {
  name: "obstack.test",
  version: "1.0.0",
  attributes: [{ key: "scope.attr", value: { stringValue: "x" } }],
};

/** A sample export request of `signal` with `n` records per scope. */
export function sampleRequest(signal: Signal, n = 3, resources = 2): Record<string, unknown> {
  const rs = [];
  for (let r = 0; r < resources; r++) {
    if (signal === "logs") {
      rs.push({
        resource: resource(`svc-${r}`),
        schemaUrl: "https://opentelemetry.io/schemas/1.24.0",
        scopeLogs: [{
          scope,
          schemaUrl: "https://opentelemetry.io/schemas/1.24.0",
          logRecords: Array.from({ length: n }, (_, i) => ({
            timeUnixNano: T0,
            observedTimeUnixNano: T1,
            severityNumber: 9 + (i % 4),
            severityText: "INFO",
            body: i % 2 === 0
              ? { stringValue: `log line ${i} from ${r}` }
              : { kvlistValue: { values: [{ key: "msg", value: { stringValue: `m${i}` } }] } },
            attributes: attrs("log"),
            droppedAttributesCount: 2,
            flags: 1,
            traceId: "5b8efff798038103d269b633813fc60c",
            spanId: "eee19b7ec3c1b174",
            eventName: i === 0 ? "app.started" : undefined,
          })),
        }],
      });
    } else if (signal === "traces") {
      rs.push({
        resource: resource(`svc-${r}`),
        scopeSpans: [{
          scope,
          spans: Array.from({ length: n }, (_, i) => ({
            traceId: "5b8efff798038103d269b633813fc60c",
            spanId: `eee19b7ec3c1b1${(i % 100).toString().padStart(2, "0")}`,
            parentSpanId: i === 0 ? undefined : "eee19b7ec3c1b100",
            traceState: "vendor=x",
            flags: 257,
            name: `op-${i}`,
            kind: 2,
            startTimeUnixNano: T0,
            endTimeUnixNano: T1,
            attributes: attrs("span"),
            droppedAttributesCount: 1,
            events: [{ timeUnixNano: T0, name: "ev", attributes: attrs("ev") }],
            droppedEventsCount: 1,
            links: [{
              traceId: "0af7651916cd43dd8448eb211c80319c",
              spanId: "b7ad6b7169203331",
              traceState: "a=b",
              attributes: attrs("link"),
              flags: 1,
            }],
            droppedLinksCount: 1,
            status: { message: "boom", code: 2 },
          })),
        }],
      });
    } else {
      const pt = (i: number) => ({
        attributes: [{ key: "point", value: { intValue: String(i) } }],
        startTimeUnixNano: T0,
        timeUnixNano: T1,
      });
      const exemplar = {
        filteredAttributes: attrs("ex"),
        timeUnixNano: T0,
        asDouble: 1.5,
        spanId: "eee19b7ec3c1b174",
        traceId: "5b8efff798038103d269b633813fc60c",
      };
      rs.push({
        resource: resource(`svc-${r}`),
        scopeMetrics: [{
          scope,
          metrics: [
            {
              name: "g",
              description: "a gauge",
              unit: "1",
              gauge: {
                dataPoints: Array.from({ length: n }, (_, i) => ({
                  ...pt(i),
                  asDouble: i + 0.5,
                  exemplars: [exemplar],
                })),
              },
            },
            {
              name: "s",
              unit: "By",
              sum: {
                aggregationTemporality: 2,
                isMonotonic: true,
                dataPoints: Array.from({ length: n }, (_, i) => ({
                  ...pt(i),
                  asInt: "9007199254740993",
                  flags: i % 2,
                })),
              },
              metadata: [{ key: "m", value: { stringValue: "v" } }],
            },
            {
              name: "h",
              histogram: {
                aggregationTemporality: 1,
                dataPoints: Array.from({ length: n }, (_, i) => ({
                  ...pt(i),
                  count: "10",
                  sum: 0,
                  bucketCounts: ["1", "2", "7"],
                  explicitBounds: [0.5, 1],
                  min: -1,
                  max: 9.5,
                  exemplars: [{ ...exemplar, asDouble: undefined, asInt: "3" }],
                })),
              },
            },
            {
              name: "eh",
              exponentialHistogram: {
                aggregationTemporality: 2,
                dataPoints: Array.from({ length: n }, (_, i) => ({
                  ...pt(i),
                  count: "12",
                  sum: 4.5,
                  scale: -3,
                  zeroCount: "1",
                  zeroThreshold: 0.001,
                  positive: { offset: -2, bucketCounts: ["1", "10"] },
                  negative: { offset: 3, bucketCounts: ["1"] },
                })),
              },
            },
            {
              name: "sm",
              summary: {
                dataPoints: Array.from({ length: n }, (_, i) => ({
                  ...pt(i),
                  count: "5",
                  sum: 12.5,
                  quantileValues: [{ quantile: 0, value: 1 }, { quantile: 0.99, value: 5 }],
                })),
              },
            },
          ],
        }],
      });
    }
  }
  const key = signal === "logs"
    ? "resourceLogs"
    : signal === "metrics"
    ? "resourceMetrics"
    : "resourceSpans";
  return { [key]: rs };
}
