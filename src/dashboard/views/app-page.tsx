import type { FC } from "hono/jsx";
import type { Release } from "../../store/releases.js";
import type { AppSection, SectionContext } from "../sections.js";
import { Layout } from "./layout.js";
import { appUrl, releaseName } from "./parts.js";

/** An app in one environment: the header, a notice after an action, then each section that has data. */
export const AppPage: FC<{
  ctx: SectionContext;
  sections: Array<AppSection<unknown>>;
  openIncidents: number;
  /** The release an action just made, to say how it went. */
  done?: Release | undefined;
}> = ({ ctx, sections, openIncidents, done }) => {
  const { state } = ctx;
  return (
    <Layout title={ctx.app} csrf={ctx.csrf} nav="apps" openIncidents={openIncidents}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/dashboard">Apps</a> / <span aria-current="page">{ctx.app}</span>
      </nav>
      <h1>
        {ctx.app} {state.hosts.length > 0 && <span class="hosts">{state.hosts.join(", ")}</span>}
      </h1>
      {state.environments.length > 1 && (
        <nav class="tabs" aria-label="Environments">
          {state.environments.map((env) => (
            <a href={appUrl(ctx.app, env)} aria-current={env === ctx.env ? "page" : undefined}>
              {env}
            </a>
          ))}
        </nav>
      )}
      {done && <DoneNotice release={done} />}
      {sections.map((section) => {
        const data = section.load(ctx);
        if (data === undefined) return null;
        return (
          <section id={section.id} aria-labelledby={`${section.id}-title`} data-refresh={section.id}>
            <h2 id={`${section.id}-title`}>{section.title}</h2>
            <section.View data={data} ctx={ctx} />
          </section>
        );
      })}
    </Layout>
  );
};

const DoneNotice: FC<{ release: Release }> = ({ release }) => {
  const what =
    release.trigger === "promote"
      ? `promoted to ${release.env}`
      : release.rollbackOf
        ? `rolled back from ${release.rollbackOf} to ${release.artifact}`
        : release.trigger;
  return release.status === "live" ? (
    <p class="notice ok" role="status">
      {releaseName({ id: release.id, version: release.version })} is live: {what}.
    </p>
  ) : (
    <p class="notice bad" role="alert">
      {release.id} ({what}) is {release.status}
      {release.reason ? `: ${release.reason}` : ""}.
    </p>
  );
};
