import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll } from "vitest";
import { requireExternal } from "../../src/test-support/external.js";

/** Debian's chromium; playwright-core drives it and never downloads a browser of its own. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether the browser tests skip (no chromium here); they fail instead under SKIFF_REQUIRE_EXTERNAL=1. */
export const skipBrowser = requireExternal("chromium", "chromium", existsSync(CHROMIUM));

/**
 * One headless chromium for the test file, with a fresh profile (a persistent context: playwright
 * takes the profile directory that way, not as --user-data-dir), closed and removed after it.
 */
export function useBrowser(): () => Promise<BrowserContext> {
  let browser: BrowserContext | undefined;
  let profile: string | undefined;
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });
  return async () => {
    if (browser) return browser;
    profile = mkdtempSync(join(tmpdir(), "skiff-chromium-"));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: SIZES.desktop,
      args: [
        "--no-sandbox",
        "--headless",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    return browser;
  };
}

/** Screenshots go here (git-ignored; CI keeps them as artifacts). */
export const SCREENSHOTS = join(process.cwd(), "artifacts", "screenshots");

export const SIZES = {
  desktop: { width: 1280, height: 860 },
  phone: { width: 390, height: 844 },
} as const;

/** A full-page screenshot of the page as it is now, at each size, named `<name>-<size>.png`. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}
