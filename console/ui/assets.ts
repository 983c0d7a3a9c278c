/**
 * The console's web UI files, read once at start and served by the console itself — no CDN,
 * no build step: plain ES modules, one stylesheet, and the page draws its own charts (SVG) and
 * span waterfall.
 * @module
 */

/** One file of the UI. */
export interface UiAsset {
  /** Content. */
  body: Uint8Array<ArrayBuffer>;
  /** `Content-Type`. */
  type: string;
}

/** URL path (`/login.html`, `/app.html`, `/static/...`) → file. */
export type UiAssets = ReadonlyMap<string, UiAsset>;

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

/**
 * Loads every file under `dir` (default: this folder's `pages/` and `static/`).
 *
 * @example
 * ```ts
 * const ui = await loadUiAssets();
 * ui.get("/static/app.js")?.type; // "text/javascript; charset=utf-8"
 * ```
 */
export async function loadUiAssets(dir = new URL("./", import.meta.url)): Promise<UiAssets> {
  const out = new Map<string, UiAsset>();
  const walk = async (base: URL, urlPrefix: string) => {
    for await (const e of Deno.readDir(base)) {
      const child = new URL(e.name + (e.isDirectory ? "/" : ""), base);
      if (e.isDirectory) {
        await walk(child, `${urlPrefix}${e.name}/`);
        continue;
      }
      const ext = e.name.slice(e.name.lastIndexOf(".") + 1);
      const type = TYPES[ext];
      if (!type) continue;
      out.set(`${urlPrefix}${e.name}`, { body: await Deno.readFile(child), type });
    }
  };
  await walk(new URL("pages/", dir), "/");
  await walk(new URL("static/", dir), "/static/");
  for (const required of ["/login.html", "/app.html", "/static/app.js"]) {
    if (!out.has(required)) throw new Error(`console UI file missing: ${required}`);
  }
  return out;
}
