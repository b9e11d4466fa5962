import type { Child, FC } from "hono/jsx";
import { assetUrl } from "../assets.js";
import { CsrfField } from "./parts.js";

export type NavItem = "apps" | "incidents" | "delivery" | "none";

/**
 * Every page of the dashboard. Server-rendered and complete without script; dashboard.js only adds live
 * updates, local times and charts. `csrf` is absent on pages shown before login.
 */
export const Layout: FC<{
  title: string;
  csrf?: string;
  nav?: NavItem;
  openIncidents?: number;
  charts?: boolean;
  children: Child;
}> = ({ title, csrf, nav = "none", openIncidents = 0, charts = false, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light" />
      <title>{`${title} · skiff`}</title>
      <link rel="stylesheet" href={assetUrl("dashboard.css")} />
      {charts && <link rel="stylesheet" href={assetUrl("uplot.css")} />}
      {charts && <script src={assetUrl("uplot.js")} defer />}
      <script src={assetUrl("dashboard.js")} defer />
    </head>
    <body>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/dashboard">
          skiff
        </a>
        {csrf !== undefined && (
          <nav aria-label="Sections">
            <a href="/dashboard" aria-current={nav === "apps" ? "page" : undefined}>
              Apps
            </a>
            <a href="/dashboard/incidents" aria-current={nav === "incidents" ? "page" : undefined}>
              Incidents
              {openIncidents > 0 && (
                <span class="count" title={`${openIncidents} open`}>
                  {openIncidents}
                </span>
              )}
            </a>
            <a href="/dashboard/metrics" aria-current={nav === "delivery" ? "page" : undefined}>
              Delivery
            </a>
          </nav>
        )}
        {csrf !== undefined && (
          <form method="post" action="/dashboard/logout" class="logout">
            <CsrfField csrf={csrf} />
            <button type="submit" class="link">
              Log out
            </button>
          </form>
        )}
      </header>
      <main id="main" tabindex={-1}>
        {children}
      </main>
    </body>
  </html>
);

/** The whole document as text. */
export function documentOf(page: Child): string {
  return `<!doctype html>${String(page)}`;
}
