// Tiny DOM helpers. Everything user- or store-provided goes in as text (never as HTML).

/**
 * Creates an element: h("a", { href: "/x", class: "y", onclick: fn }, "text", child).
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...(Node|string|number|null|undefined|false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = String(v);
    else if (k === "style" && typeof v === "object") Object.assign(el.style, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

/** Appends children (strings become text nodes). */
export function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces an element's content. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** The loading / empty / error states every view uses. */
export const states = {
  loading: (what = "Loading…") => h("p", { class: "state state-loading" }, what),
  empty: (what) => h("p", { class: "state state-empty" }, what),
  error: (err) =>
    h("p", { class: "alert alert-error", role: "alert" }, err?.message ?? String(err)),
};

/**
 * Load bookkeeping on a result element, so tests and tools can tell that the latest refresh has
 * finished rather than guess from what is on screen: `data-started` counts loads begun,
 * `data-loaded` is set to it when the latest one finishes (superseded loads never finish).
 */
export function markStarted(el) {
  el.dataset.started = String(Number(el.dataset.started ?? "0") + 1);
}

/** Marks the latest started load of `el` as finished (see {@link markStarted}). */
export function markLoaded(el) {
  el.dataset.loaded = el.dataset.started ?? "0";
}

/** A definition list of key/value pairs, sorted by key. */
export function kvList(record) {
  const dl = h("dl", { class: "kv" });
  for (const k of Object.keys(record ?? {}).sort()) {
    dl.append(h("dt", {}, k), h("dd", {}, record[k]));
  }
  return dl;
}
