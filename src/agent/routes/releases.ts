import { Hono } from "hono";
import { z } from "zod";
import type { Deployer } from "../../deployer/deployer.js";
import type { Store } from "../../store/store.js";
import type { ReleaseListItem, ReleaseListView } from "../api-types.js";
import { appParam, queryOf, wholeNumber } from "../request.js";
import { drainView, releaseView } from "../views.js";

const releasesQuery = z.object({ limit: wholeNumber(1, 100) });
const eventsQuery = z.object({ release: z.string().optional() });

/**
 * The ledger, read: an app's releases (newest first, each with how the release it replaced drained),
 * its events, its last production version.
 */
export function releaseRoutes(options: { store: Store; deployer: Pick<Deployer, "draining"> }): Hono {
  const { store, deployer } = options;
  const routes = new Hono();

  routes.get("/apps/:app/releases", (c) => {
    const app = appParam(c);
    const { limit } = queryOf(c, releasesQuery);
    const releases = store.releases.list(app, limit);
    const drained = new Map(
      store.events
        .steps(
          app,
          "drained",
          releases.map((r) => r.id),
        )
        .map((e) => [e.release, e]),
    );
    const items: ReleaseListItem[] = releases.map((r) => ({
      ...releaseView(r),
      drain: drainView(drained.get(r.id), deployer.draining(app, r.id)),
      backups: store.backups
        .forRelease(app, r.id)
        .map((b) => ({ id: b.id, database: b.name, status: b.status })),
    }));
    const body: ReleaseListView = { app, releases: items };
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
