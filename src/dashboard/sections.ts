import type { FC } from "hono/jsx";
import type { AppState } from "./data/app.js";
import type { DashboardDeps } from "./deps.js";

/** What every section of an app's page is given. */
export interface SectionContext {
  deps: DashboardDeps;
  app: string;
  env: string;
  now: number;
  csrf: string;
  /** The page's URL (its query: `page`, …). */
  url: URL;
  /** Loaded once per page: the live release, instances, what runs now. */
  state: AppState;
}

/**
 * One panel of an app's page: a data function and a component. `load` returns undefined when the
 * section has nothing to show for this app (no monitors, no backups configured…), and the page leaves it
 * out. A new panel (backups, certificates, storage, process types) is a new file in sections/ and one
 * line in app-sections.ts: see docs/dashboard.md.
 */
export interface AppSection<T> {
  id: string;
  title: string;
  load: (ctx: SectionContext) => T | undefined;
  View: FC<{ data: T; ctx: SectionContext }>;
}

/** Erases a section's data type so sections of different types can share one list. */
export function defineSection<T>(section: AppSection<T>): AppSection<unknown> {
  return section as AppSection<unknown>;
}
