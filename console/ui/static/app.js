// The console app shell: who is logged in, navigation between the four views.
import { api } from "./lib/api.js";
import { h, replace, states } from "./lib/dom.js";
import { metricsView } from "./views/metrics.js";
import { tracesView } from "./views/traces.js";
import { logsView } from "./views/logs.js";
import { searchView } from "./views/search.js";

const VIEWS = { metrics: metricsView, traces: tracesView, logs: logsView, search: searchView };
const root = document.getElementById("view");
let session = null;
let cleanup = null;

function show(name) {
  if (typeof cleanup === "function") cleanup();
  cleanup = null;
  for (const a of document.querySelectorAll(".nav a")) {
    a.classList.toggle("active", a.dataset.view === name);
  }
  document.title = `${name[0].toUpperCase()}${name.slice(1)} · Obstack console`;
  cleanup = VIEWS[name](root, new URLSearchParams(location.search), session);
}

function current() {
  const name = location.pathname.replace(/^\//, "");
  return VIEWS[name] ? name : "metrics";
}

for (const a of document.querySelectorAll(".nav a")) {
  a.addEventListener("click", (e) => {
    e.preventDefault();
    history.pushState(null, "", a.getAttribute("href"));
    show(current());
  });
}
addEventListener("popstate", () => show(current()));

try {
  session = await api("session");
  replace(
    document.getElementById("whoami"),
    "Tenant ",
    h("b", { id: "tenant-id" }, session.tenant.id),
    session.tenant.name && session.tenant.name !== session.tenant.id
      ? ` (${session.tenant.name})`
      : "",
    session.user ? ` · ${session.user}` : "",
  );
  if (location.pathname === "/") history.replaceState(null, "", "/metrics");
  show(current());
} catch (err) {
  replace(root, states.error(err));
}
