import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { httpStatusOf, ObstackError, unauthorized, unavailable } from "../errors.ts";
import { createRateLimiter } from "../tenant/rate_limiter.ts";
import { enforceRateLimit, errorHeaders } from "./rate_limit.ts";
import { wwwAuthenticate } from "./auth.ts";

Deno.test("enforceRateLimit() throws a 429 with Retry-After once the tenant is over its limit", () => {
  const limiter = createRateLimiter({ now: () => 0 });
  const tenant = { id: "a", limits: { requestsPerSecond: 1 } };
  enforceRateLimit(limiter, tenant, 10);
  throws(() => enforceRateLimit(limiter, tenant, 10), (e: unknown) => {
    const s = httpStatusOf(e);
    strictEqual(e instanceof ObstackError, true);
    strictEqual(s.status, 429);
    strictEqual(s.retriable, true);
    strictEqual(s.retryAfterSeconds, 1);
    return true;
  });
});

Deno.test("errorHeaders() sets Retry-After, WWW-Authenticate and Allow where they belong", () => {
  const h503 = errorHeaders(httpStatusOf(unavailable("broker", 5)));
  strictEqual(h503.get("retry-after"), "5");
  const h401 = errorHeaders(httpStatusOf(unauthorized("x")), {
    wwwAuthenticate: wwwAuthenticate(),
  });
  strictEqual(h401.get("www-authenticate"), wwwAuthenticate());
  strictEqual(h401.get("retry-after"), null);
  const h405 = errorHeaders({ status: 405 }, { allow: ["POST"] });
  strictEqual(h405.get("allow"), "POST");
  deepStrictEqual([...errorHeaders({ status: 400 }, { allow: ["POST"] }).keys()], []);
});
