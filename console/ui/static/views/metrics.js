// Metrics view: PromQL box with autocomplete of the tenant's metric names, time range, chart.
import { api } from "../lib/api.js";
import { h, markLoaded, markStarted, replace, states } from "../lib/dom.js";
import { lineChart, seriesLabel } from "../lib/chart.js";
import { rangePicker } from "../lib/time.js";

/** The identifier being typed at the caret (for autocomplete). */
function wordAt(text, pos) {
  const before = text.slice(0, pos);
  const m = /[a-zA-Z_:][a-zA-Z0-9_:]*$/.exec(before);
  return m ? { word: m[0], start: pos - m[0].length } : { word: "", start: pos };
}

export function metricsView(root, params) {
  const query = h("textarea", {
    name: "query",
    rows: 2,
    placeholder: "PromQL, e.g. rate(http_server_duration_count[5m])",
    "aria-label": "PromQL query",
    spellcheck: false,
  });
  query.value = params.get("query") ?? "";
  const picker = rangePicker(params.get("range") ?? "1h", () => run());
  const runBtn = h("button", { class: "primary", type: "submit" }, "Run query");
  const suggestions = h("div", { class: "suggestions", "aria-label": "Metric name suggestions" });
  const result = h(
    "div",
    { class: "panel result" },
    states.empty("Type a PromQL query, or pick one of your metrics below."),
  );

  const form = h(
    "form",
    { class: "panel" },
    h("h2", {}, "Metrics"),
    h(
      "div",
      { class: "toolbar" },
      h("label", { class: "grow" }, "Query", query),
      picker.el,
      runBtn,
    ),
    suggestions,
    h(
      "p",
      { class: "hint" },
      "Every selector is limited to your tenant before the query reaches Prometheus; " +
        "matchers on ",
      h("code", {}, "tenant_id"),
      " are refused.",
    ),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run();
  });
  query.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      run();
    }
  });

  let suggestTimer = 0;
  let suggestSeq = 0;
  const suggest = async () => {
    const seq = ++suggestSeq;
    const { word } = wordAt(query.value, query.selectionStart ?? query.value.length);
    try {
      const { start: s, end } = picker.range();
      const { names } = await api("metrics/names", { prefix: word, start: s - 24 * 3600e3, end });
      if (seq !== suggestSeq) return;
      replace(
        suggestions,
        ...(names.length ? [] : [h(
          "span",
          { class: "muted" },
          word ? `No metric of yours starts with “${word}”.` : "No metrics yet for your tenant.",
        )]),
        ...names.slice(0, 30).map((n) =>
          h("button", {
            type: "button",
            onclick: () => {
              const v = query.value;
              const caret = query.selectionStart ?? v.length;
              const w = wordAt(v, caret);
              query.value = v.slice(0, w.start) + n + v.slice(caret);
              query.focus();
              suggest();
            },
          }, n)
        ),
      );
    } catch (err) {
      replace(
        suggestions,
        h("span", { class: "muted" }, `Suggestions unavailable: ${err.message}`),
      );
    }
  };
  query.addEventListener("input", () => {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(suggest, 150);
  });

  let runSeq = 0;
  async function run() {
    const q = query.value.trim();
    if (!q) {
      replace(result, states.empty("Type a PromQL query, or pick one of your metrics below."));
      return;
    }
    const seq = ++runSeq;
    markStarted(result);
    let range;
    try {
      range = picker.range();
    } catch (err) {
      replace(result, states.error(err));
      return;
    }
    replace(result, states.loading("Running query…"));
    runBtn.disabled = true;
    try {
      const data = await api("metrics/query_range", {
        query: q,
        start: Math.round(range.start),
        end: Math.round(range.end),
      });
      if (seq !== runSeq) return;
      const series = (data.resultType === "matrix" ? data.result : []).map((r) => ({
        label: seriesLabel(r.metric),
        points: (r.values ?? []).map(([t, v]) => [Number(t), Number(v)]),
      }));
      const scoped = h(
        "p",
        { class: "scoped" },
        "Sent to Prometheus as ",
        h("code", {}, data.scopedQuery),
      );
      const warnings = (data.warnings ?? []).map((w) => h("p", { class: "hint" }, `Warning: ${w}`));
      if (series.length === 0) {
        replace(
          result,
          states.empty("No data: none of your series match this query in the selected range."),
          scoped,
          ...warnings,
        );
      } else {
        replace(
          result,
          h("p", { class: "muted" }, `${series.length} series · step ${data.stepSeconds}s`),
          lineChart(series, {
            startMs: range.start,
            endMs: range.end,
            stepSeconds: data.stepSeconds,
            width: result.clientWidth - 34,
          }),
          scoped,
          ...warnings,
        );
      }
      const u = new URL(location.href);
      u.searchParams.set("query", q);
      history.replaceState(null, "", u);
    } catch (err) {
      if (seq === runSeq) replace(result, states.error(err));
    } finally {
      runBtn.disabled = false;
      if (seq === runSeq) markLoaded(result);
    }
  }

  replace(root, form, result);
  suggest();
  if (query.value) run();
}
