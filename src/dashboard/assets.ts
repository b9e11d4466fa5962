import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";

/**
 * The dashboard's static files, all served by the agent (no CDN): its own stylesheet and script from
 * src/dashboard/assets/ (plain files that need no build; package.json ships them), and uPlot from node_modules. Read once, on
 * first use, and served with a content hash in the URL so browsers may cache them for good.
 */

const OWN = ownAssets();
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

/** src/dashboard/assets/ of the package this file is part of, from src/, dist/ or dist/bench/src/. */
function ownAssets(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "src", "dashboard", "assets");
    if (existsSync(join(candidate, "dashboard.css"))) return `${candidate}/`;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("the dashboard's assets (src/dashboard/assets) are missing");
    dir = parent;
  }
}

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
