import { Hono } from "hono";
import type { Logger } from "pino";
import { z } from "zod";
import { checkSecretName, type SecretStore } from "../../secrets/secret-store.js";
import { bodyOf } from "../request.js";

export interface SecretRouteOptions {
  secrets: SecretStore;
  /** A secret changed: whatever built something from the old values builds it again (alert channels). */
  changed: () => void;
  logger?: Logger | undefined;
}

const setBody = z.object({ value: z.string({ error: "expected the secret as a string" }) });

/** The secret store: names go out, values only come in, and neither is ever logged with its value. */
export function secretRoutes(options: SecretRouteOptions): Hono {
  const { secrets } = options;
  const routes = new Hono();

  routes.get("/secrets", (c) => c.json({ secrets: secrets.names().map((name) => ({ name })) }));

  routes.put("/secrets/:name", async (c) => {
    const name = c.req.param("name");
    checkSecretName(name);
    const { value } = await bodyOf(c, setBody);
    secrets.set(name, value);
    options.changed();
    options.logger?.info({ secret: name }, `secret ${name} set`);
    return c.json({ name, set: true });
  });

  routes.delete("/secrets/:name", (c) => {
    const name = c.req.param("name");
    checkSecretName(name);
    const removed = secrets.unset(name);
    if (removed) options.changed();
    return c.json({ name, removed });
  });

  return routes;
}
