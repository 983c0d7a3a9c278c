// Traces view: recent traces of the tenant, lookup by id, span waterfall.
import { api } from "../lib/api.js";
import { h, markLoaded, markStarted, replace, states } from "../lib/dom.js";
import { formatDuration, formatTime, rangePicker } from "../lib/time.js";
import { waterfall } from "../lib/waterfall.js";

export function tracesView(root, params) {
  const service = h(
    "select",
    { name: "service", "aria-label": "Service" },
    h("option", { value: "" }, "All services"),
  );
  const picker = rangePicker(params.get("range") ?? "1h", () => search());
  const minDur = h("input", {
    type: "number",
    min: 0,
    placeholder: "ms",
    name: "minDuration",
    style: { width: "90px" },
  });
  const errorsOnly = h("input", { type: "checkbox", name: "errorsOnly" });
  const lookup = h("input", {
    name: "traceId",
    placeholder: "trace id (hex)",
    spellcheck: false,
    style: { width: "300px" },
    class: "mono",
  });
  const list = h("div", { class: "panel trace-list" }, states.loading("Loading traces…"));
  const detail = h("div", { class: "panel trace-detail", hidden: true });

  const searchForm = h(
    "form",
    { class: "panel" },
    h("h2", {}, "Traces"),
    h(
      "div",
      { class: "toolbar" },
      h("label", {}, "Service", service),
      picker.el,
      h("label", {}, "Min duration (ms)", minDur),
      h("label", { class: "checkbox" }, errorsOnly, "Errors only"),
      h("button", { class: "primary", type: "submit" }, "Search"),
      h("span", { class: "spacer", style: { flex: 1 } }),
      h("label", {}, "Find a trace by id", lookup),
      h("button", { type: "button", onclick: () => open(lookup.value) }, "Open"),
    ),
  );
  searchForm.addEventListener("submit", (e) => {
    e.preventDefault();
    search();
  });
  lookup.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      open(lookup.value);
    }
  });

  async function loadServices() {
    try {
      const { start, end } = picker.range();
      const { services } = await api("traces/services", { start: start - 24 * 3600e3, end });
      const current = service.value;
      replace(
        service,
        h("option", { value: "" }, "All services"),
        ...services.map((s) => h("option", { value: s, selected: s === current }, s)),
      );
    } catch {
      // the list still works without the service filter
    }
  }

  let seq = 0;
  async function search() {
    const my = ++seq;
    markStarted(list);
    let range;
    try {
      range = picker.range();
    } catch (err) {
      replace(list, states.error(err));
      return;
    }
    replace(list, states.loading("Loading traces…"));
    try {
      const { traces } = await api("traces", {
        service: service.value,
        start: Math.round(range.start),
        end: Math.round(range.end),
        limit: 50,
        minDurationMs: minDur.value || undefined,
        errorsOnly: errorsOnly.checked ? "true" : undefined,
      });
      if (my !== seq) return;
      if (!traces.length) {
        replace(list, states.empty("No traces of yours in this time range."));
        return;
      }
      const tbody = h("tbody");
      for (const t of traces) {
        const tr = h(
          "tr",
          {
            class: "clickable",
            "data-trace-id": t.traceId,
            onclick: () => open(t.traceId),
          },
          h("td", { class: "time" }, formatTime(t.startMs, true)),
          h("td", {}, t.rootService),
          h("td", {}, t.rootName),
          h("td", { class: "num" }, formatDuration(t.durationMs)),
          h("td", { class: "num" }, t.spanCount ?? "–"),
          h(
            "td",
            {},
            t.hasError
              ? h("span", { class: "badge error" }, "error")
              : h("span", { class: "badge" }, "ok"),
          ),
          h("td", { class: "mono muted" }, t.traceId),
        );
        tbody.append(tr);
      }
      replace(
        list,
        h(
          "table",
          { class: "data traces" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...["Start", "Root service", "Root span", "Duration", "Spans", "Status", "Trace id"]
                .map((c) => h("th", {}, c)),
            ),
          ),
          tbody,
        ),
      );
    } catch (err) {
      if (my === seq) replace(list, states.error(err));
    } finally {
      if (my === seq) markLoaded(list);
    }
  }

  let openSeq = 0;
  async function open(id) {
    const traceId = String(id ?? "").trim();
    if (!traceId) return;
    const mine = ++openSeq;
    detail.hidden = false;
    markStarted(detail);
    replace(detail, states.loading("Loading trace…"));
    const u = new URL(location.href);
    u.searchParams.set("trace", traceId);
    history.replaceState(null, "", u);
    try {
      const { trace } = await api(`traces/${encodeURIComponent(traceId)}`);
      if (mine !== openSeq) return;
      replace(
        detail,
        h(
          "h2",
          {},
          "Trace ",
          h("span", { class: "mono" }, trace.traceId),
          " ",
          h("button", {
            type: "button",
            class: "link",
            style: { color: "var(--accent)" },
            onclick: () => {
              detail.hidden = true;
              const v = new URL(location.href);
              v.searchParams.delete("trace");
              history.replaceState(null, "", v);
            },
          }, "close"),
        ),
        waterfall(trace),
      );
      detail.scrollIntoView({ block: "start" });
    } catch (err) {
      if (mine !== openSeq) return;
      replace(
        detail,
        err.status === 404
          ? states.empty(`No trace ${traceId} in your tenant.`)
          : states.error(err),
      );
    } finally {
      if (mine === openSeq) markLoaded(detail);
    }
  }

  replace(root, searchForm, detail, list);
  loadServices().then(search);
  if (params.get("trace")) open(params.get("trace"));
}
