// A line chart drawn as SVG by the page itself (no chart library, no CDN).
import { h } from "./dom.js";
import { formatTime } from "./time.js";

const SVG = "http://www.w3.org/2000/svg";
export const PALETTE = [
  "#3b5bdb",
  "#e8590c",
  "#2b8a3e",
  "#c2255c",
  "#7048e8",
  "#1098ad",
  "#f08c00",
  "#5c940d",
  "#d6336c",
  "#495057",
];

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** "Nice" tick values covering [min, max]. */
export function niceTicks(min, max, count = 5) {
  if (!(max > min)) {
    const d = Math.abs(min) || 1;
    return niceTicks(min - d / 2, max + d / 2, count);
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((st) => st >= raw) ?? 10 * mag;
  // From the step at or below min to the step at or above max, so every value is inside.
  const first = Math.floor(min / step), last = Math.ceil(max / step);
  const out = [];
  for (let i = first; i <= last; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

/** Short number: 1.2k, 3.4M, 0.0012. */
export function formatValue(v) {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (a === 0 || a >= 0.01) return String(+v.toFixed(3));
  return v.toExponential(1);
}

/** `name{a="b", c="d"}` of a label set, without the tenant label (the same on every series). */
export function seriesLabel(metric) {
  const { __name__: name = "", tenant_id: _t, ...rest } = metric ?? {};
  const pairs = Object.keys(rest).sort().map((k) => `${k}="${rest[k]}"`);
  return pairs.length ? `${name}{${pairs.join(", ")}}` : name || "{}";
}

/**
 * Draws series [{ label, points: [[unixSeconds, value]] }] with gaps where samples are missing.
 * Returns a container with the SVG, a hover read-out and a legend.
 */
export function lineChart(series, { startMs, endMs, stepSeconds, width }) {
  const wrap = h("div", { class: "chart-wrap", style: { position: "relative" } });
  // Drawn at the width it will be shown at, so text is never stretched.
  const W = Math.max(480, Math.round(width || 1100)), H = 340;
  const m = { l: 64, r: 16, t: 12, b: 30 };
  const x0 = startMs / 1000, x1 = endMs / 1000;
  let lo = Infinity, hi = -Infinity;
  for (const se of series) {
    for (const [, v] of se.points) {
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (!Number.isFinite(lo)) lo = 0, hi = 1;
  if (lo > 0 && lo < hi * 0.5) lo = 0;
  const yt = niceTicks(lo, hi);
  const y0 = yt[0], y1 = yt[yt.length - 1];
  const X = (t) => m.l + ((t - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const Y = (v) => H - m.b - ((v - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);

  const svg = s("svg", {
    class: "chart",
    viewBox: `0 0 ${W} ${H}`,
    role: "img",
    "aria-label": "Query result chart",
  });
  const grid = s("g", { class: "grid" });
  const axis = s("g", { class: "axis" });
  for (const v of yt) {
    grid.append(s("line", { x1: m.l, x2: W - m.r, y1: Y(v), y2: Y(v) }));
    axis.append(s("text", { x: m.l - 8, y: Y(v) + 4, "text-anchor": "end" }, formatValue(v)));
  }
  const spanS = x1 - x0;
  const xticks = 6;
  for (let i = 0; i <= xticks; i++) {
    const t = x0 + (spanS * i) / xticks;
    const label = formatTime(t * 1000);
    const text = spanS > 86400
      ? label.slice(5, 16)
      : spanS > 600
      ? label.slice(11, 16)
      : label.slice(11, 19);
    grid.append(s("line", { x1: X(t), x2: X(t), y1: m.t, y2: H - m.b }));
    axis.append(
      s("text", {
        x: X(t),
        y: H - 10,
        "text-anchor": i === 0 ? "start" : i === xticks ? "end" : "middle",
      }, text),
    );
  }
  axis.append(s("line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b }));
  svg.append(grid, axis);

  const gap = (stepSeconds || 15) * 1.5;
  series.forEach((se, i) => {
    let d = "", prev = null;
    for (const [t, v] of se.points) {
      if (!Number.isFinite(v)) {
        prev = null;
        continue;
      }
      d += `${prev === null || t - prev > gap ? "M" : "L"}${X(t).toFixed(1)},${Y(v).toFixed(1)}`;
      prev = t;
    }
    const color = PALETTE[i % PALETTE.length];
    if (se.points.length === 1) {
      const [t, v] = se.points[0];
      svg.append(s("circle", { cx: X(t), cy: Y(v), r: 3, fill: color }));
    }
    svg.append(s("path", { d, class: "series", stroke: color, "data-series": se.label }));
  });

  // Hover read-out: nearest sample time, value of each series there.
  const cursor = s("line", {
    y1: m.t,
    y2: H - m.b,
    stroke: "#98a2b3",
    "stroke-dasharray": "3 3",
    visibility: "hidden",
  });
  svg.append(cursor);
  const tip = h("div", {
    class: "chart-tip",
    hidden: true,
    style: {
      position: "absolute",
      top: "8px",
      background: "rgba(29,35,48,.92)",
      color: "#fff",
      padding: "6px 8px",
      borderRadius: "6px",
      fontSize: "12px",
      pointerEvents: "none",
      fontFamily: "var(--mono)",
      maxWidth: "60%",
    },
  });
  svg.addEventListener("mousemove", (ev) => {
    const r = svg.getBoundingClientRect();
    const px = ((ev.clientX - r.left) / r.width) * W;
    if (px < m.l || px > W - m.r) return;
    const t = x0 + ((px - m.l) / (W - m.l - m.r)) * (x1 - x0);
    cursor.setAttribute("x1", px);
    cursor.setAttribute("x2", px);
    cursor.setAttribute("visibility", "visible");
    const rows = [];
    series.slice(0, 8).forEach((se, i) => {
      let best = null;
      for (const p of se.points) if (!best || Math.abs(p[0] - t) < Math.abs(best[0] - t)) best = p;
      if (best && Math.abs(best[0] - t) <= gap) {
        rows.push(
          h(
            "div",
            {},
            h("span", { style: { color: PALETTE[i % PALETTE.length] } }, "■ "),
            `${formatValue(best[1])}  ${se.label}`,
          ),
        );
      }
    });
    tip.replaceChildren(h("div", { style: { opacity: 0.8 } }, formatTime(t * 1000)), ...rows);
    tip.hidden = rows.length === 0;
    tip.style.left = px / W > 0.6 ? "" : `${(px / W) * 100 + 2}%`;
    tip.style.right = px / W > 0.6 ? `${(1 - px / W) * 100 + 2}%` : "";
  });
  svg.addEventListener("mouseleave", () => {
    cursor.setAttribute("visibility", "hidden");
    tip.hidden = true;
  });

  const legend = h(
    "div",
    { class: "legend" },
    ...series.slice(0, 50).map((se, i) =>
      h(
        "span",
        {},
        h("span", { class: "swatch", style: { background: PALETTE[i % PALETTE.length] } }),
        se.label,
      )
    ),
    series.length > 50
      ? h("span", { class: "muted" }, `… and ${series.length - 50} more series`)
      : null,
  );
  wrap.append(svg, tip, legend);
  return wrap;
}
