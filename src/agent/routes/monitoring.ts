import { Hono } from "hono";
import { z } from "zod";
import type { Monitoring } from "../monitoring.js";
import { appParam, queryDuration, queryOf, querySwitch } from "../request.js";

const DAY_MS = 86_400_000;
/** The longest window `skiff metrics --since` may ask about: ten years. */
const MAX_SINCE_MS = 3650 * DAY_MS;

const incidentsQuery = z.object({ app: z.string().optional(), open: querySwitch });
const deliveryQuery = z.object({
  app: z.string().optional(),
  since: queryDuration("30d", MAX_SINCE_MS, "3650d"),
});

/** What monitoring knows: incidents, a test alert to every channel, delivery (DORA) metrics. */
export function monitoringRoutes(options: { monitoring: Monitoring }): Hono {
  const { monitoring } = options;
  const routes = new Hono();

  routes.get("/incidents", (c) => {
    const { app, open } = queryOf(c, incidentsQuery);
    return c.json(monitoring.incidents({ ...(app ? { app } : {}), open }));
  });

  routes.post("/apps/:app/alerts/test", async (c) => c.json(await monitoring.alertsTest(appParam(c))));

  routes.get("/metrics/delivery", (c) => {
    const { app, since } = queryOf(c, deliveryQuery);
    return c.json(monitoring.delivery(app || undefined, since));
  });

  return routes;
}
