import { Writable } from "node:stream";
import { Hono } from "hono";
import { stream } from "hono/streaming";
import { z } from "zod";
import type { AccessoryConfig } from "../../config/accessories.js";
import type { AppConfig } from "../../config/schema.js";
import type { Accessories, AccessoryStatus } from "../../containers/accessories.js";
import { PRODUCTION } from "../../environments/names.js";
import { configForEnvironment } from "../../environments/resolve.js";
import { errorBody } from "../../error-body.js";
import { EXIT } from "../../errors.js";
import type { Store } from "../../store/store.js";
import { HttpError } from "../http-error.js";
import { appParam, queryOf, querySwitch, wholeNumber } from "../request.js";

/** The accessories of one app in one environment; undefined when the agent has no Docker engine. */
export type AccessoriesOf = (app: string, env: string) => Accessories | undefined;

const envQuery = z.object({ env: z.string().min(1).default(PRODUCTION) });
const logsQuery = envQuery.extend({ tail: wholeNumber(0, 100), follow: querySwitch });

export interface AccessoriesView {
  app: string;
  env: string;
  accessories: AccessoryStatus[];
}

/**
 * `skiff accessory start|stop|status|logs`: what skiff.yml declares (the live release's config for the
 * environment, else the app's last upload), on the engine. Start recreates a changed accessory (its data
 * stays in storage); stop keeps its container; neither touches the app.
 */
export function accessoryRoutes(options: { store: Store; accessories: AccessoriesOf }): Hono {
  const routes = new Hono();

  function declared(app: string, env: string): { configs: Record<string, AccessoryConfig>; of: Accessories } {
    const config: AppConfig | undefined =
      options.store.releases.live(app, env)?.config ??
      (() => {
        const registered = options.store.apps.config(app);
        return registered && configForEnvironment(registered, env);
      })();
    if (!config) throw HttpError.notFound(`no app named ${app} was deployed to this agent`, EXIT.failed);
    const of = options.accessories(app, env);
    if (!of) {
      throw new HttpError(
        503,
        errorBody(
          "NoEngine",
          "the agent has no Docker engine: install docker.io and start dockerd",
          EXIT.agent,
        ),
      );
    }
    return { configs: config.accessories ?? {}, of };
  }

  function one(app: string, env: string, name: string) {
    const { configs, of } = declared(app, env);
    const config = configs[name];
    if (!config) {
      const names = Object.keys(configs).join(", ") || "none";
      throw HttpError.notFound(
        `${app} has no accessory ${name} in skiff.yml (it has: ${names})`,
        EXIT.failed,
      );
    }
    return { config, of };
  }

  routes.get("/apps/:app/accessories", async (c) => {
    const app = appParam(c);
    const { env } = queryOf(c, envQuery);
    const { configs, of } = declared(app, env);
    const accessories = await Promise.all(Object.keys(configs).map((name) => of.status(name)));
    return c.json({ app, env, accessories } satisfies AccessoriesView);
  });

  routes.post("/apps/:app/accessories/:name/start", async (c) => {
    const app = appParam(c);
    const { env } = queryOf(c, envQuery);
    const { config, of } = one(app, env, c.req.param("name"));
    await of.start(c.req.param("name"), config);
    return c.json(await of.waitHealthy(c.req.param("name"), 120_000));
  });

  routes.post("/apps/:app/accessories/:name/stop", async (c) => {
    const app = appParam(c);
    const { env } = queryOf(c, envQuery);
    const name = c.req.param("name");
    const { config, of } = one(app, env, name);
    const outcome = await of.stop(name, config);
    return c.json({ name, outcome, status: await of.status(name) });
  });

  routes.get("/apps/:app/accessories/:name/logs", async (c) => {
    const app = appParam(c);
    const { env, tail, follow } = queryOf(c, logsQuery);
    const name = c.req.param("name");
    const { of } = one(app, env, name);
    c.header("content-type", "text/plain; charset=utf-8");
    if (!follow) return c.body(await of.logs(name, { tail }));
    return stream(c, async (s) => {
      const controller = new AbortController();
      s.onAbort(() => controller.abort());
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          s.write(chunk).then(() => done(), done);
        },
      });
      await of.logs(name, { tail, follow: sink, signal: controller.signal });
    });
  });

  return routes;
}
