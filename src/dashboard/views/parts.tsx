import type { Child, FC } from "hono/jsx";
import type { ReleaseView } from "../../agent/api-types.js";
import { firstLine, plural } from "../../cli/output.js";
import { formatSpan } from "../../config/duration.js";
import { PRODUCTION } from "../../environments/names.js";
import type { Band } from "../../metrics/dora.js";
import type { Health } from "../data/overview.js";

export { firstLine, plural };

/** Small pieces every page uses: times, spans, badges. Pure rendering, no data access. */

export type Tone = "ok" | "bad" | "warn" | "info" | "muted";

export const Badge: FC<{ tone: Tone; children: Child; title?: string }> = ({ tone, children, title }) => (
  <span class={`badge ${tone}`} title={title}>
    {children}
  </span>
);

export function span(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "–" : formatSpan(ms);
}

/** "4m 10s ago", with the exact time for machines and (enhanced by the script) a local tooltip. */
export const Ago: FC<{ at: number | string | null; now: number }> = ({ at, now }) => {
  if (at === null) return <span>–</span>;
  const ms = typeof at === "number" ? at : Date.parse(at);
  const iso = new Date(ms).toISOString();
  return (
    <time datetime={iso} title={iso}>
      {now - ms < 1000 ? "just now" : `${formatSpan(now - ms)} ago`}
    </time>
  );
};

/** "in 4m 10s": a time still ahead. */
export const In: FC<{ at: number; now: number }> = ({ at, now }) => (
  <time datetime={new Date(at).toISOString()}>{`in ${formatSpan(Math.max(0, at - now))}`}</time>
);

const STATUS_TONE: Record<string, Tone> = {
  live: "ok",
  deploying: "info",
  superseded: "muted",
  "rolled-back": "warn",
  failed: "bad",
  removed: "muted",
};

export const StatusBadge: FC<{ status: string }> = ({ status }) => (
  <Badge tone={STATUS_TONE[status] ?? "muted"}>{status}</Badge>
);

const HEALTH: Record<Health, [Tone, string]> = {
  healthy: ["ok", "healthy"],
  degraded: ["warn", "degraded"],
  down: ["bad", "down"],
  none: ["muted", "not running"],
};

export const HealthBadge: FC<{ health: Health; healthy?: number; total?: number }> = ({
  health,
  healthy,
  total,
}) => {
  const [tone, text] = HEALTH[health];
  return <Badge tone={tone}>{total ? `${text} ${healthy}/${total}` : text}</Badge>;
};

const BAND_TONE: Record<Band, Tone> = { elite: "ok", high: "ok", medium: "warn", low: "bad" };

export const BandBadge: FC<{ band: Band | null }> = ({ band }) =>
  band === null ? <Badge tone="muted">no data</Badge> : <Badge tone={BAND_TONE[band]}>{band}</Badge>;

/** "v1.4.2 · r7" or "r7". */
export function releaseName(release: Pick<ReleaseView, "id" | "version">): string {
  return release.version ? `v${release.version} · ${release.id}` : release.id;
}

export function shortSha(sha: string | undefined | null): string {
  return sha ? sha.slice(0, 7) : "–";
}

/** The dashboard URL of an app in an environment (production needs no query). */
export function appUrl(app: string, env = PRODUCTION, extra = ""): string {
  const query = new URLSearchParams();
  if (env !== PRODUCTION) query.set("env", env);
  const search = query.toString();
  return `/dashboard/apps/${app}${extra}${search ? `?${search}` : ""}`;
}

/**
 * A table's header row. Columns named in `optional` are hidden on narrow screens (where a table does
 * not stack into labelled rows); an empty name is an action column, named for screen readers only.
 */
export const Head: FC<{ columns: string[]; optional?: string[] }> = ({ columns, optional = [] }) => (
  <thead>
    <tr>
      {columns.map((name) => (
        <th scope="col" class={optional.includes(name) ? "opt" : undefined}>
          {name || <span class="visually-hidden">Action</span>}
        </th>
      ))}
    </tr>
  </thead>
);

export const CsrfField: FC<{ csrf: string }> = ({ csrf }) => (
  <input type="hidden" name="_csrf" value={csrf} />
);
