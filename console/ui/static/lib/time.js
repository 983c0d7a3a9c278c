// Time ranges and formatting shared by the views.
import { h } from "./dom.js";

/** Preset ranges of the time-range picker. */
export const RANGES = [
  ["5m", "Last 5 minutes", 5 * 60e3],
  ["15m", "Last 15 minutes", 15 * 60e3],
  ["1h", "Last hour", 3600e3],
  ["6h", "Last 6 hours", 6 * 3600e3],
  ["24h", "Last 24 hours", 24 * 3600e3],
  ["7d", "Last 7 days", 7 * 24 * 3600e3],
  ["custom", "Custom…", 0],
];

const pad = (n, w = 2) => String(n).padStart(w, "0");

/** Local time as YYYY-MM-DD HH:MM:SS(.mmm). */
export function formatTime(ms, withMs = false) {
  const d = new Date(ms);
  const s = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMs ? `${s}.${pad(d.getMilliseconds(), 3)}` : s;
}

/** Duration in ms as "523 µs", "12.3 ms", "1.52 s", "2m 3s". */
export function formatDuration(ms) {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60e3) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60e3)}m ${Math.round((ms % 60e3) / 1000)}s`;
}

function toLocalInput(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${
    pad(d.getMinutes())
  }`;
}

/**
 * A time-range picker: a preset select plus custom start/end inputs.
 * Returns { el, range() → {start, end} in ms }.
 */
export function rangePicker(initial = "1h", onChange = () => {}) {
  const select = h(
    "select",
    { "aria-label": "Time range", name: "range" },
    ...RANGES.map(([v, label]) => h("option", { value: v, selected: v === initial }, label)),
  );
  const now = Date.now();
  const start = h("input", {
    type: "datetime-local",
    value: toLocalInput(now - 3600e3),
    "aria-label": "From",
  });
  const end = h("input", { type: "datetime-local", value: toLocalInput(now), "aria-label": "To" });
  const custom = h(
    "span",
    { class: "toolbar", hidden: true },
    h("label", {}, "From", start),
    h("label", {}, "To", end),
  );
  select.addEventListener("change", () => {
    custom.hidden = select.value !== "custom";
    onChange();
  });
  const el = h("span", { class: "toolbar" }, h("label", {}, "Time range", select), custom);
  return {
    el,
    range() {
      if (select.value === "custom") {
        const s = Date.parse(start.value), e = Date.parse(end.value);
        if (!(s < e)) throw new Error("The custom range needs a start before its end.");
        return { start: s, end: e };
      }
      const preset = RANGES.find(([v]) => v === select.value);
      const t = Date.now();
      return { start: t - preset[2], end: t };
    },
  };
}
