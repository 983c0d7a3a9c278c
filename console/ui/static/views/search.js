// Search view: full text over the tenant's OpenSearch indices, highlights, field filters, paging.
import { api } from "../lib/api.js";
import { h, kvList, markLoaded, markStarted, replace, states } from "../lib/dom.js";
import { formatTime, rangePicker } from "../lib/time.js";

const START = "\ue000", END = "\ue001";

/** A highlight fragment as text nodes and <mark> elements (never parsed as HTML). */
export function highlighted(fragment) {
  const out = [];
  let rest = fragment;
  while (rest.length) {
    const i = rest.indexOf(START);
    if (i < 0) {
      out.push(rest);
      break;
    }
    if (i > 0) out.push(rest.slice(0, i));
    const j = rest.indexOf(END, i + 1);
    const marked = rest.slice(i + 1, j < 0 ? undefined : j);
    out.push(h("mark", {}, marked));
    rest = j < 0 ? "" : rest.slice(j + 1);
  }
  return out;
}

const MESSAGE_FIELDS = ["body", "message", "msg", "log", "_msg", "body.text"];

export function searchView(root, params) {
  const q = h("input", {
    name: "q",
    placeholder: 'words, "a phrase", -exclude, prefix*',
    class: "grow",
  });
  q.value = params.get("q") ?? "";
  const picker = rangePicker(params.get("range") ?? "24h", () => run(0));
  const field = h("input", {
    name: "filterField",
    placeholder: "field (e.g. level, service.name)",
    style: { width: "200px" },
  });
  const value = h("input", {
    name: "filterValue",
    placeholder: "value",
    style: { width: "160px" },
  });
  const chips = h("div", { class: "filters" });
  const filters = [];
  const out = h(
    "div",
    { class: "panel search-result" },
    states.empty("Search your logs: type words and press Search."),
  );
  const size = 20;
  let from = 0;

  const drawChips = () =>
    replace(
      chips,
      ...filters.map((f, i) =>
        h(
          "span",
          { class: "chip" },
          `${f.field} = ${f.value}`,
          h("button", {
            type: "button",
            title: "Remove filter",
            onclick: () => {
              filters.splice(i, 1);
              drawChips();
              run(0);
            },
          }, "×"),
        )
      ),
    );
  const addFilter = () => {
    if (!field.value.trim() || !value.value.trim()) return;
    filters.push({ field: field.value.trim(), value: value.value.trim() });
    field.value = value.value = "";
    drawChips();
    run(0);
  };

  const form = h(
    "form",
    { class: "panel" },
    h("h2", {}, "Search"),
    h(
      "div",
      { class: "toolbar" },
      h("label", { class: "grow" }, "Full text", q),
      picker.el,
      h("button", { class: "primary", type: "submit" }, "Search"),
    ),
    h(
      "div",
      { class: "toolbar", style: { marginTop: "8px" } },
      h("label", {}, "Filter field", field),
      h("label", {}, "equals", value),
      h("button", { type: "button", onclick: addFilter }, "Add filter"),
    ),
    chips,
    h("p", { class: "hint" }, "Searches only your tenant's log indices."),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run(0);
  });

  let seq = 0;
  async function run(offset) {
    from = offset;
    const my = ++seq;
    markStarted(out);
    let range;
    try {
      range = picker.range();
    } catch (err) {
      replace(out, states.error(err));
      return;
    }
    replace(out, states.loading("Searching…"));
    try {
      const r = await api("search", {
        q: q.value,
        filter: filters.map((f) => `${f.field}:${f.value}`),
        start: Math.round(range.start),
        end: Math.round(range.end),
        from,
        size,
      });
      if (my !== seq) return;
      if (!r.hits.length) {
        replace(out, states.empty(from ? "No more results." : "Nothing of yours matches."));
        return;
      }
      const list = h("div", { class: "hits" });
      for (const hit of r.hits) {
        const hl = hit.highlights ?? {};
        const fields = Object.keys(hl);
        const msgField = MESSAGE_FIELDS.find((f) => hit.fields[f] !== undefined);
        const fragments = fields.length
          ? fields.flatMap((f) =>
            hl[f].map((frag) =>
              h(
                "div",
                { class: "hit-text" },
                fields.length > 1 ? h("span", { class: "muted" }, `${f}: `) : null,
                ...highlighted(frag),
              )
            )
          )
          : [
            h(
              "div",
              { class: "hit-text" },
              msgField ? hit.fields[msgField] : JSON.stringify(hit.fields),
            ),
          ];
        const more = h("div", { hidden: true }, kvList(hit.fields));
        list.append(
          h(
            "div",
            { class: "hit" },
            h(
              "div",
              { class: "hit-meta" },
              hit.timeMs ? formatTime(hit.timeMs, true) : "",
              "  ",
              hit.fields.level
                ? h("span", { class: `badge ${hit.fields.level.toLowerCase()}` }, hit.fields.level)
                : null,
              "  ",
              hit.fields["service.name"] ?? "",
              "  ",
              h("span", { class: "muted" }, hit.index),
              "  ",
              h("button", {
                type: "button",
                class: "link",
                style: { color: "var(--accent)" },
                onclick: () => (more.hidden = !more.hidden),
              }, "fields"),
            ),
            ...fragments,
            more,
          ),
        );
      }
      const last = from + r.hits.length;
      replace(
        out,
        h(
          "p",
          { class: "muted" },
          `Results ${from + 1}–${last} of ${r.total}${r.totalExact ? "" : "+"}`,
        ),
        list,
        h(
          "div",
          { class: "pager" },
          h("button", {
            type: "button",
            disabled: from === 0,
            onclick: () => run(Math.max(0, from - size)),
          }, "← Newer"),
          h("button", {
            type: "button",
            disabled: last >= r.total,
            onclick: () => run(from + size),
          }, "Older →"),
        ),
      );
    } catch (err) {
      if (my === seq) replace(out, states.error(err));
    } finally {
      if (my === seq) markLoaded(out);
    }
  }

  replace(root, form, out);
  if (q.value) run(0);
}
