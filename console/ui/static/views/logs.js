// Logs view: newest first, simple filter (text, level, service) or an expert query, refresh.
import { api } from "../lib/api.js";
import { h, kvList, markLoaded, markStarted, replace, states } from "../lib/dom.js";
import { formatTime, rangePicker } from "../lib/time.js";

export function logsView(root, params, session) {
  const lang = session?.backends?.logsLanguage ?? "LogQL";
  const text = h("input", { name: "text", placeholder: "text the line contains", class: "grow" });
  text.value = params.get("text") ?? "";
  const level = h(
    "select",
    { name: "level", "aria-label": "Level" },
    h("option", { value: "" }, "Any level"),
  );
  const service = h(
    "select",
    { name: "service", "aria-label": "Service" },
    h("option", { value: "" }, "All services"),
  );
  const picker = rangePicker(params.get("range") ?? "1h", () => run());
  const expertToggle = h("input", { type: "checkbox", name: "expertMode" });
  const expert = h("textarea", {
    name: "expert",
    rows: 2,
    spellcheck: false,
    hidden: true,
    "aria-label": `${lang} query`,
    placeholder: lang === "LogsQL"
      ? '{service_name="checkout"} error | limit 100'
      : '{service_name="checkout"} |= "error"',
  });
  const auto = h("input", { type: "checkbox", name: "autoRefresh" });
  const status = h("span", { class: "muted" });
  const out = h("div", { class: "panel logs-result" }, states.loading("Loading logs…"));

  expertToggle.addEventListener("change", () => {
    expert.hidden = !expertToggle.checked;
    for (const el of [text, level, service]) el.disabled = expertToggle.checked;
  });

  const form = h(
    "form",
    { class: "panel" },
    h("h2", {}, "Logs"),
    h(
      "div",
      { class: "toolbar" },
      h("label", { class: "grow" }, "Contains", text),
      h("label", {}, "Level", level),
      h("label", {}, "Service", service),
      picker.el,
      h("button", { class: "primary", type: "submit" }, "Refresh"),
      h("label", { class: "checkbox" }, auto, "Auto-refresh (5 s)"),
    ),
    h(
      "div",
      { class: "toolbar", style: { marginTop: "8px" } },
      h("label", { class: "checkbox" }, expertToggle, `Expert: write ${lang}`),
    ),
    expert,
    h(
      "p",
      { class: "hint" },
      `Expert queries run in your tenant only (the console sets the tenant; the query cannot change it).`,
    ),
    status,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run();
  });

  async function loadLabels() {
    const { start, end } = picker.range();
    for (
      const [label, select, any] of [["service_name", service, "All services"], [
        "level",
        level,
        "Any level",
      ]]
    ) {
      try {
        const { values } = await api(`logs/labels/${label}`, { start: start - 24 * 3600e3, end });
        const cur = select.value;
        replace(
          select,
          h("option", { value: "" }, any),
          ...values.map((v) => h("option", { value: v, selected: v === cur }, v)),
        );
      } catch {
        // filters stay usable without the lists
      }
    }
  }

  let seq = 0;
  async function run() {
    const my = ++seq;
    markStarted(out);
    let range;
    try {
      range = picker.range();
    } catch (err) {
      replace(out, states.error(err));
      return;
    }
    if (!out.querySelector("table")) replace(out, states.loading("Loading logs…"));
    try {
      const useExpert = expertToggle.checked && expert.value.trim();
      const { entries } = await api("logs", {
        start: Math.round(range.start),
        end: Math.round(range.end),
        limit: 500,
        ...(useExpert
          ? { expert: expert.value }
          : { text: text.value, level: level.value, service: service.value }),
      });
      if (my !== seq) return;
      status.textContent = `Updated ${formatTime(Date.now())} · ${entries.length} lines`;
      if (!entries.length) {
        replace(out, states.empty("No log lines of yours match in this time range."));
        return;
      }
      const tbody = h("tbody");
      for (const e of entries) {
        const row = h(
          "tr",
          { class: "clickable log-row" },
          h("td", { class: "time" }, formatTime(e.timeMs, true)),
          h(
            "td",
            {},
            e.level ? h("span", { class: `badge ${e.level.toLowerCase()}` }, e.level) : "",
          ),
          h("td", {}, e.service),
          h("td", { class: "msg" }, e.line),
        );
        const details = h(
          "tr",
          { class: "details", hidden: true },
          h("td", { colspan: 4 }, kvList(e.fields)),
        );
        row.addEventListener("click", () => (details.hidden = !details.hidden));
        tbody.append(row, details);
      }
      replace(
        out,
        h(
          "table",
          { class: "data logs" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", { style: { width: "200px" } }, "Time"),
              h("th", {}, "Level"),
              h("th", {}, "Service"),
              h("th", {}, "Message"),
            ),
          ),
          tbody,
        ),
      );
    } catch (err) {
      if (my === seq) replace(out, states.error(err));
    } finally {
      if (my === seq) markLoaded(out);
    }
  }

  let timer = 0;
  auto.addEventListener("change", () => {
    clearInterval(timer);
    if (auto.checked) timer = setInterval(run, 5000);
  });

  replace(root, form, out);
  loadLabels();
  run();
  return () => clearInterval(timer);
}
