import { PRODUCTION } from "../../environments/names.js";
import { TIMELINE_PAGE, type TimelineRow, timeline } from "../data/app.js";
import { defineSection } from "../sections.js";
import { Ago, firstLine, Head, releaseName, StatusBadge, shortSha, span } from "../views/parts.js";
import { StepList, StepStrip } from "../views/steps.js";

/** The release history of this environment: who shipped what, how long it took, how it ended. */
export const timelineSection = defineSection<{ rows: TimelineRow[]; total: number; page: number }>({
  id: "timeline",
  title: "Releases",
  load: (ctx) => {
    const page = Math.max(1, Math.floor(Number(ctx.url.searchParams.get("page") ?? 1)) || 1);
    return { ...timeline(ctx.deps, ctx.app, ctx.env, page), page };
  },
  View: ({ data, ctx }) => {
    if (data.total === 0) return <p class="empty">No releases in {ctx.env} yet.</p>;
    const pages = Math.ceil(data.total / TIMELINE_PAGE);
    const pageUrl = (page: number) => {
      const url = new URL(ctx.url);
      url.searchParams.set("page", String(page));
      return `${url.pathname}${url.search}#timeline`;
    };
    const env = ctx.env === PRODUCTION ? "" : `&env=${encodeURIComponent(ctx.env)}`;
    return (
      <>
        <div class="table-wrap">
          <table class="stack timeline">
            <Head
              columns={[
                "Release",
                "Outcome",
                "Commit",
                "Author",
                "Trigger",
                "Started",
                "Duration",
                "Lead time",
                "Steps",
                "",
              ]}
              optional={["Author", "Trigger", "Lead time"]}
            />
            <tbody>
              {data.rows.map(({ release: r, steps, rollback }) => (
                <tr data-release={r.id} data-status={r.status} class={r.live ? "is-live" : undefined}>
                  <th scope="row">
                    <a href={`/dashboard/apps/${ctx.app}/releases/${r.id}`}>{releaseName(r)}</a>
                    {r.artifact !== r.id && <span class="subtle"> runs {r.artifact}</span>}
                  </th>
                  <td data-label="Outcome">
                    <StatusBadge status={r.status} />
                    {r.reason && <div class="reason">{r.reason}</div>}
                  </td>
                  <td data-label="Commit">
                    {r.commit ? (
                      <>
                        <span class="sha">{shortSha(r.commit.sha)}</span>{" "}
                        <span class="message">{firstLine(r.commit.message)}</span>
                      </>
                    ) : (
                      "–"
                    )}
                  </td>
                  <td class="opt" data-label="Author">
                    {r.commit?.author ?? r.deployedBy ?? "–"}
                  </td>
                  <td class="opt" data-label="Trigger">
                    {r.trigger}
                  </td>
                  <td data-label="Started">
                    <Ago at={r.startedAt} now={ctx.now} />
                  </td>
                  <td data-label="Duration">{span(r.durationMs)}</td>
                  <td class="opt" data-label="Lead time">
                    {span(r.leadTimeMs)}
                  </td>
                  <td class="steps-cell" data-label="Steps">
                    <StepStrip steps={steps} />
                    {steps.length > 0 && (
                      <details>
                        <summary>{steps.length} steps</summary>
                        <StepList steps={steps} />
                      </details>
                    )}
                  </td>
                  <td class="action">
                    {rollback && (
                      <a
                        class="button small"
                        href={`/dashboard/apps/${ctx.app}/rollback?to=${r.id}${env}`}
                        title={
                          rollback === "warm" ? "still running: an instant switch" : "starts from its files"
                        }
                      >
                        Roll back…
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {pages > 1 && (
          <nav class="pager" aria-label="Release pages">
            {data.page > 1 && <a href={pageUrl(data.page - 1)}>← Newer</a>}
            <span>
              page {data.page} of {pages}
            </span>
            {data.page < pages && <a href={pageUrl(data.page + 1)}>Older →</a>}
          </nav>
        )}
      </>
    );
  },
});
