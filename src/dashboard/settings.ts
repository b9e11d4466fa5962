/** How long the dashboard's credentials live. The agent's defaults; tests shorten them or move the clock. */
export interface DashboardSettings {
  /** A one-time login link from `skiff dashboard` works this long. */
  linkTtlMs: number;
  /** A session ends after this long without a request… */
  sessionIdleMs: number;
  /** …and after this long in any case: the cookie's Max-Age. */
  sessionMaxAgeMs: number;
  /** The clock every expiry is measured with (epoch ms). */
  now: () => number;
}

const MINUTE = 60_000;

export const DEFAULT_SETTINGS: DashboardSettings = {
  linkTtlMs: 5 * MINUTE,
  sessionIdleMs: 60 * MINUTE,
  sessionMaxAgeMs: 12 * 60 * MINUTE,
  now: Date.now,
};
