// The console's query API, from the page. The session cookie rides along (same origin); the
// tenant is never sent: the server takes it from the session.

/** An API error with the server's message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * GET /api/<path> with query parameters (arrays repeat the parameter).
 * @param {string} path
 * @param {Record<string, unknown>} [params]
 */
export async function api(path, params = {}) {
  const url = new URL(`/api/${path}`, location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(one));
  }
  let resp;
  try {
    resp = await fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "The console is unreachable. Check your connection and retry.");
  }
  if (resp.status === 401) {
    location.assign("/login");
    throw new ApiError(401, "Your session has ended. Please log in again.");
  }
  let body = null;
  try {
    body = await resp.json();
  } catch {
    // no JSON body
  }
  if (!resp.ok) throw new ApiError(resp.status, body?.error ?? `Request failed (${resp.status})`);
  return body;
}
