import type { FC } from "hono/jsx";
import { PRODUCTION } from "../../environments/names.js";
import type { DeploymentSummary } from "../data/overview.js";
import { Layout } from "./layout.js";
import {
  Ago,
  appUrl,
  Badge,
  firstLine,
  HealthBadge,
  plural,
  releaseName,
  StatusBadge,
  shortSha,
} from "./parts.js";

/** The first page: every deployment at a glance, the ones that need a person first. */
export const OverviewPage: FC<{
  deployments: DeploymentSummary[];
  openIncidents: number;
  csrf: string;
  now: number;
}> = ({ deployments, openIncidents, csrf, now }) => (
  <Layout title="Apps" csrf={csrf} nav="apps" openIncidents={openIncidents}>
    <h1>Apps</h1>
    {deployments.length === 0 ? (
      <p class="empty">
        No apps yet: run <code>skiff deploy</code> in an app's directory.
      </p>
    ) : (
      <ul class="cards" aria-label="Deployments">
        {deployments.map((d) => (
          <DeploymentCard d={d} now={now} />
        ))}
      </ul>
    )}
  </Layout>
);

const DeploymentCard: FC<{ d: DeploymentSummary; now: number }> = ({ d, now }) => {
  const healthy = d.instances.filter((i) => i.healthy).length;
  const last = d.lastDeploy;
  return (
    <li class={`card deployment ${d.health}`} data-app={d.app} data-env={d.env}>
      <h2>
        <a href={appUrl(d.app, d.env)}>{d.app}</a>
        {d.env !== PRODUCTION && <span class="env">{d.env}</span>}
      </h2>
      <p class="hosts">{d.hosts.length > 0 ? d.hosts.join(", ") : "default route"}</p>
      <dl class="facts">
        <dt>Live</dt>
        <dd class="live-release">
          {d.live ? (
            <>
              <strong>{releaseName(d.live)}</strong> <span class="sha">{shortSha(d.live.commit?.sha)}</span>
            </>
          ) : (
            <Badge tone="warn">no live release</Badge>
          )}
        </dd>
        <dt>Health</dt>
        <dd>
          <HealthBadge health={d.health} healthy={healthy} total={d.instances.length} />
        </dd>
        <dt>Instances</dt>
        <dd>{d.instances.length}</dd>
        <dt>Last deploy</dt>
        <dd>
          {last ? (
            <>
              <StatusBadge status={last.status} /> {last.id} <Ago at={last.startedAt} now={now} />
              {last.commit && <span class="subtle"> · {firstLine(last.commit.message)}</span>}
            </>
          ) : (
            "–"
          )}
        </dd>
        <dt>Incidents</dt>
        <dd>
          {d.openIncidents > 0 ? (
            <Badge tone="bad">{plural(d.openIncidents, "open incident")}</Badge>
          ) : (
            "none open"
          )}
        </dd>
      </dl>
      {d.deploying && (
        <p class="notice info">
          {d.deploying.operation} by {d.deploying.who}, <Ago at={d.deploying.since} now={now} />
        </p>
      )}
    </li>
  );
};
