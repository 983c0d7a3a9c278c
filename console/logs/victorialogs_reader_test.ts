/**
 * Unit tests of the LogsQL translation and response parsing; the reader is also tested against
 * the real VictoriaLogs in tests/integration/console_logs_test.ts.
 */
import assert from "node:assert/strict";
import { rfc3339ToNs } from "./log_reader.ts";
import { createVictoriaLogsReader, victoriaLogsSimpleQuery } from "./victorialogs_reader.ts";

Deno.test("victoriaLogsSimpleQuery() builds stream and phrase filters", () => {
  assert.equal(victoriaLogsSimpleQuery({}), "*");
  assert.equal(victoriaLogsSimpleQuery({ text: "time out" }), '"time out"');
  assert.equal(
    victoriaLogsSimpleQuery({ service: "checkout", level: "error", text: 'x" | delete _msg' }),
    '{service_name="checkout",level="error"} "x\\" | delete _msg"',
  );
});

Deno.test("rfc3339ToNs() keeps nanoseconds exactly", () => {
  assert.equal(rfc3339ToNs("2023-01-01T13:32:13.000000001Z"), "1672579933000000001");
  assert.equal(rfc3339ToNs("2023-01-01T13:32:13Z"), "1672579933000000000");
  assert.equal(rfc3339ToNs("2023-01-01T13:32:13.5+01:00"), "1672576333500000000");
  assert.equal(rfc3339ToNs("garbage"), "0");
});

Deno.test("createVictoriaLogsReader() sends AccountID, the tenant fence and sorts newest first", async () => {
  const calls: Request[] = [];
  const f = ((input: URL | RequestInfo, init?: RequestInit) => {
    calls.push(new Request(input, init));
    return Promise.resolve(
      new Response(
        [
          '{"_msg":"older","_stream":"{}","_time":"2023-01-01T13:32:13.000000000Z","level":"info","service_name":"a"}',
          '{"_msg":"newer","_stream":"{}","_time":"2023-01-01T13:32:15.000000000Z","level":"error","service_name":"b","order":"42"}',
          "",
        ].join("\n"),
      ),
    );
  }) as typeof fetch;
  const vl = createVictoriaLogsReader({ url: "http://vl:9428", fetch: f });
  const rows = await vl.query({ id: "tenant-a", numericId: 7 }, {
    startMs: Date.UTC(2023, 0, 1),
    endMs: Date.UTC(2023, 0, 2),
    limit: 10,
    level: "error",
  });
  assert.deepEqual(rows.map((r) => [r.line, r.level, r.service, r.fields.order]), [
    ["newer", "error", "b", "42"],
    ["older", "info", "a", undefined],
  ]);
  const req = calls[0]!;
  assert.equal(req.headers.get("AccountID"), "7");
  assert.equal(req.headers.get("ProjectID"), "0");
  const u = new URL(req.url);
  assert.equal(u.pathname, "/select/logsql/query");
  assert.equal(u.searchParams.get("query"), '{level="error"}');
  assert.equal(u.searchParams.get("extra_stream_filters"), '{"tenant_id":"tenant-a"}');
  assert.equal(u.searchParams.get("start"), "2023-01-01T00:00:00.000Z");
});
