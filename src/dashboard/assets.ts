import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";

/**
 * The dashboard's static files, all served by the agent (no CDN): its own stylesheet and script from
 * src/dashboard/assets/ (found from src/ and dist/ alike), and uPlot from node_modules. Read once, on
 * first use, and served with a content hash in the URL so browsers may cache them for good.
 */

const OWN = fileURLToPath(new URL("../../src/dashboard/assets/", import.meta.url));
const require = createRequire(import.meta.url);

const FILES: Record<string, { path: () => string; type: string }> = {
  "dashboard.css": { path: () => `${OWN}dashboard.css`, type: "text/css; charset=utf-8" },
  "dashboard.js": { path: () => `${OWN}dashboard.js`, type: "text/javascript; charset=utf-8" },
  "uplot.js": {
    path: () => require.resolve("uplot/dist/uPlot.iife.min.js"),
    type: "text/javascript; charset=utf-8",
  },
  "uplot.css": { path: () => require.resolve("uplot/dist/uPlot.min.css"), type: "text/css; charset=utf-8" },
};

export type AssetName = keyof typeof FILES;

interface Loaded {
  body: Buffer;
  hash: string;
  type: string;
}

const loaded = new Map<string, Loaded>();

function load(name: string): Loaded | undefined {
  const file = FILES[name];
  if (!file) return undefined;
  let asset = loaded.get(name);
  if (!asset) {
    const body = readFileSync(file.path());
    asset = { body, type: file.type, hash: createHash("sha256").update(body).digest("hex").slice(0, 12) };
    loaded.set(name, asset);
  }
  return asset;
}

/** The URL a page links an asset by: it changes whenever the file does. */
export function assetUrl(name: AssetName): string {
  return `/dashboard/assets/${name}?v=${load(name)!.hash}`;
}

/** GET /dashboard/assets/:name. Public: the files hold no data, and the login page needs the stylesheet. */
export function assetRoutes(): Hono {
  const app = new Hono();
  app.get("/:name", (c) => {
    const asset = load(c.req.param("name"));
    if (!asset) return c.text("no such file", 404);
    c.header("content-type", asset.type);
    c.header(
      "cache-control",
      c.req.query("v") === asset.hash ? "public, max-age=31536000, immutable" : "no-cache",
    );
    return c.body(new Uint8Array(asset.body));
  });
  return app;
}
