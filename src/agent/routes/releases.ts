import { Hono } from "hono";
import { z } from "zod";
import type { Store } from "../../store/store.js";
import type { ReleaseListView } from "../api-types.js";
import { appParam, queryOf, wholeNumber } from "../request.js";
import { releaseView } from "../views.js";

const releasesQuery = z.object({ limit: wholeNumber(1, 100) });
const eventsQuery = z.object({ release: z.string().optional() });

/** The ledger, read: an app's releases (newest first), its events, its last production version. */
export function releaseRoutes(options: { store: Store }): Hono {
  const { store } = options;
  const routes = new Hono();

  routes.get("/apps/:app/releases", (c) => {
    const app = appParam(c);
    const { limit } = queryOf(c, releasesQuery);
    const body: ReleaseListView = {
      app,
      releases: store.releases.list(app, limit).map((release) => ({
        ...releaseView(release),
        backups: store.backups
          .forRelease(app, release.id)
          .map((b) => ({ id: b.id, database: b.name, status: b.status })),
      })),
    };
    return c.json(body);
  });

  routes.get("/apps/:app/events", (c) => {
    const app = appParam(c);
    const { release } = queryOf(c, eventsQuery);
    return c.json({ app, events: store.events.list(app, release ? { release } : {}) });
  });

  routes.get("/apps/:app/version", (c) => {
    const app = appParam(c);
    const last = store.releases.lastVersion(app);
    return c.json({ app, version: last?.version ?? null, sha: last?.sha ?? null });
  });

  return routes;
}
