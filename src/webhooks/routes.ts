import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppConfig } from "../config/schema.js";
import { environmentSecrets, type SecretLookup } from "../secrets/secret-store.js";
import { type DeliveryLog, DeliveryMemory } from "./deliveries.js";
import { handleWebhook, type WebhookAction, type WebhookApp } from "./handler.js";
import { isProvider, MAX_WEBHOOK_BODY_BYTES } from "./push.js";

export interface WebhookRouteOptions {
  /** The app as the agent knows it (the skiff.yml its last deploy registered); undefined → 404. */
  lookupApp: (name: string) => WebhookApp | undefined | Promise<WebhookApp | undefined>;
  /** Called for each action once the answer is decided; typically `queue.push(queueKeyOf(a), a)`. */
  dispatch: (action: WebhookAction) => void;
  /** The agent's ledger of delivery ids (src/store/deliveries.ts); a fresh in-memory one by default. */
  deliveries?: DeliveryLog;
  /** One line per request for the agent's log: no body, no headers, so no secret. */
  log?: (entry: {
    provider: string;
    app: string;
    status: number;
    message: string;
    deliveryId?: string;
    actions?: string[];
  }) => void;
}

/**
 * `POST /:provider/:app` for the agent's API, mounted with `api.route("/hooks", webhookRoutes(…))`.
 * These routes authenticate by signature, not by the API's bearer token, so the agent's token check must
 * leave `/hooks/*` alone.
 */
export function webhookRoutes(options: WebhookRouteOptions): Hono {
  const deliveries = options.deliveries ?? new DeliveryMemory();
  const routes = new Hono();
  routes.post(
    "/:provider/:app",
    bodyLimit({
      maxSize: MAX_WEBHOOK_BODY_BYTES,
      onError: (c) => c.json({ message: `the body is over ${MAX_WEBHOOK_BODY_BYTES} bytes` }, 413),
    }),
    async (c) => {
      const provider = c.req.param("provider");
      const name = c.req.param("app");
      if (!isProvider(provider))
        return c.json({ message: `unknown provider ${JSON.stringify(provider)}; use github or gitlab` }, 404);
      const body = Buffer.from(await c.req.arrayBuffer());
      const app = await options.lookupApp(name);
      const response = handleWebhook({ provider, app: name, headers: c.req.header(), body }, app, deliveries);
      options.log?.({ provider, app: name, status: response.status, ...response.body });
      for (const action of response.actions) options.dispatch(action);
      return c.json(response.body, response.status);
    },
  );
  return routes;
}

/** The agent's view of an app for its hooks: the secret is the one skiff.yml names (store, then environment). */
export function webhookAppFor(config: AppConfig, secrets: SecretLookup = environmentSecrets): WebhookApp {
  return { config, secret: secrets(config.webhookSecretEnv) };
}
