// The span waterfall of one trace, drawn by the page (HTML bars positioned in %).
import { h, kvList, replace } from "./dom.js";
import { PALETTE } from "./chart.js";
import { formatDuration, formatTime } from "./time.js";

function colorOf(service) {
  let x = 0;
  for (const c of service) x = (x * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[x % PALETTE.length];
}

/** Spans in tree order (parents before children, siblings by start) with their depth. */
export function treeOrder(spans) {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map();
  const roots = [];
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      if (!children.has(s.parentSpanId)) children.set(s.parentSpanId, []);
      children.get(s.parentSpanId).push(s);
    } else roots.push(s);
  }
  const byStart = (a, b) => a.startUs - b.startUs;
  const out = [];
  const seen = new Set();
  const visit = (s, depth) => {
    if (seen.has(s.spanId)) return; // cycles in bad data
    seen.add(s.spanId);
    out.push({ span: s, depth });
    for (const c of (children.get(s.spanId) ?? []).sort(byStart)) visit(c, depth + 1);
  };
  for (const r of roots.sort(byStart)) visit(r, 0);
  return out;
}

/** Renders the waterfall with a detail pane for the selected span. */
export function waterfall(trace) {
  const spans = trace.spans;
  const t0 = Math.min(...spans.map((s) => s.startUs));
  const t1 = Math.max(...spans.map((s) => s.startUs + s.durationUs));
  const total = Math.max(1, t1 - t0);
  const detail = h(
    "div",
    { class: "span-detail" },
    h("p", { class: "muted" }, "Select a span to see its attributes."),
  );
  const rows = [];

  const select = (row, s) => {
    for (const r of rows) r.classList.toggle("selected", r === row);
    replace(
      detail,
      h("h3", {}, `${s.service} · ${s.name}`),
      h(
        "p",
        { class: "muted mono" },
        `span ${s.spanId}${s.parentSpanId ? ` · parent ${s.parentSpanId}` : " · root"}` +
          ` · ${s.kind ?? "span"} · status ${s.status}${
            s.statusMessage ? ` (${s.statusMessage})` : ""
          }` +
          ` · starts +${formatDuration((s.startUs - t0) / 1000)} · ${
            formatDuration(s.durationUs / 1000)
          }`,
      ),
      h("h3", {}, "Attributes"),
      Object.keys(s.attributes).length ? kvList(s.attributes) : h("p", { class: "muted" }, "none"),
      h("h3", {}, "Resource"),
      kvList(s.resource),
      s.events.length ? h("h3", {}, "Events") : null,
      ...s.events.map((e) =>
        h(
          "div",
          {},
          h("span", { class: "mono" }, `+${formatDuration((e.timeUs - t0) / 1000)} ${e.name}`),
          kvList(e.attributes),
        )
      ),
    );
  };

  const head = h(
    "div",
    { class: "wf-head" },
    h("span", {}, `${spans.length} spans · started ${formatTime(t0 / 1000, true)}`),
    h("span", {}, `total ${formatDuration(total / 1000)}`),
  );
  const body = h("div", { class: "waterfall" }, head);
  for (const { span: s, depth } of treeOrder(spans)) {
    const left = ((s.startUs - t0) / total) * 100;
    const width = Math.max(0.2, (s.durationUs / total) * 100);
    const color = colorOf(s.service);
    const durLabel = h("span", {
      class: "wf-dur",
      style: left + width > 80
        ? { right: `${100 - left + 0.5}%` }
        : { left: `${left + width + 0.5}%` },
    }, formatDuration(s.durationUs / 1000));
    const row = h(
      "div",
      { class: "wf-row", role: "button", tabindex: "0", "data-span-id": s.spanId },
      h(
        "div",
        {
          class: "wf-label",
          style: { paddingLeft: `${depth * 14 + 4}px` },
          title: `${s.service} ${s.name}`,
        },
        h("span", { class: "svc", style: { color } }, s.service || "?"),
        h("span", {}, s.name),
        s.status === "error"
          ? h("span", { class: "badge error", style: { marginLeft: "6px" } }, "error")
          : null,
      ),
      h(
        "div",
        { class: "wf-track" },
        h("div", {
          class: `wf-bar${s.status === "error" ? " error" : ""}`,
          style: { left: `${left}%`, width: `${width}%`, background: color },
          title: `${formatDuration(s.durationUs / 1000)}`,
        }),
        durLabel,
      ),
    );
    row.addEventListener("click", () => select(row, s));
    row.addEventListener("keydown", (e) => {
      if (e.key === "Enter") select(row, s);
    });
    rows.push(row);
    body.append(row);
  }
  body.append(detail);
  return body;
}
