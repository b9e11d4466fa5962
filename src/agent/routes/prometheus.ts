import { Hono } from "hono";
import { bearerToken, tokenMatches } from "../auth.js";
import { HttpError } from "../http-error.js";
import type { Monitoring } from "../monitoring.js";

export interface PrometheusRouteOptions {
  monitoring: Monitoring;
  token: string;
  /** May read GET /metrics and nothing else (a Prometheus scraper's). */
  metricsToken?: string | undefined;
}

/** `GET /metrics` in Prometheus' text format, for the API token or the metrics token. */
export function prometheusRoutes(options: PrometheusRouteOptions): Hono {
  const routes = new Hono();
  routes.get("/metrics", async (c) => {
    const presented = bearerToken(c.req.header("authorization"));
    const allowed =
      tokenMatches(presented, options.token) ||
      (options.metricsToken !== undefined && tokenMatches(presented, options.metricsToken));
    if (!allowed) throw HttpError.unauthorized("missing or wrong API or metrics token");
    const { metrics } = options.monitoring;
    return c.body(await metrics.render(), 200, { "content-type": metrics.contentType });
  });
  return routes;
}
