import type { FC } from "hono/jsx";
import { assetUrl } from "../assets.js";
import type { PublicStatus } from "../data/status-page.js";
import { Ago, Badge, span } from "./parts.js";

/** The public status page: names, states and times only; no targets, errors, releases or commits. */
export const StatusPage: FC<{ status: PublicStatus; now: number }> = ({ status, now }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${status.app} status`}</title>
      <link rel="stylesheet" href={assetUrl("dashboard.css")} />
    </head>
    <body class="status-page">
      <main id="main">
        <h1>{status.app}</h1>
        <p
          class={`notice big ${status.overall === "operational" ? "ok" : status.overall === "unknown" ? "info" : "bad"}`}
        >
          {status.overall === "operational"
            ? "All systems operational"
            : status.overall === "unknown"
              ? "Status not yet known"
              : "Some systems are having problems"}
        </p>
        <section aria-labelledby="monitors-title">
          <h2 id="monitors-title">Current state</h2>
          <ul class="status-list">
            {status.monitors.map((m) => (
              <li>
                <span>{m.name}</span>{" "}
                {m.state === "up" ? (
                  <Badge tone="ok">operational</Badge>
                ) : m.state === "down" ? (
                  <Badge tone="bad">outage</Badge>
                ) : (
                  <Badge tone="muted">checking</Badge>
                )}
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="incidents-title">
          <h2 id="incidents-title">Recent incidents</h2>
          {status.incidents.length === 0 ? (
            <p class="empty">No incidents in the last {status.days} days.</p>
          ) : (
            <ul class="status-list">
              {status.incidents.map((i) => (
                <li>
                  <span>{i.monitor}</span>
                  <span>
                    started <Ago at={i.startedAt} now={now} />,{" "}
                    {i.resolvedAt === null ? (
                      <Badge tone="bad">ongoing</Badge>
                    ) : (
                      `resolved after ${span(i.durationMs)}`
                    )}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <p class="subtle">
          Updated <Ago at={now} now={now} />.
        </p>
      </main>
    </body>
  </html>
);
