import { Hono } from "hono";
import { z } from "zod";
import { PRODUCTION } from "../environments/names.js";
import { UsageError } from "../errors.js";
import {
  type BackupNowResponse,
  type BackupsResponse,
  backupView,
  type RestoreResponse,
} from "./api-types.js";
import type { BackupService } from "./service.js";

/**
 * The backups API, mounted under /v1 (behind the API token): list, take now, verify, restore. Every
 * operation answers when it is done; errors go to the API's one error handler.
 */

const appName = z
  .string()
  .regex(/^[a-z0-9-]{1,40}$/, { error: "expected 1 to 40 lowercase letters, digits or dashes" });
const backupId = z.string().regex(/^b\d+$/, { error: "expected a backup id like b12" });
const envName = z
  .string()
  .regex(/^[a-z0-9:-]{1,80}$/, { error: "expected an environment name like staging" });
const dbName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, { error: "expected a database name like db" });

function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`${field}: ${result.error.issues[0]?.message ?? "invalid"}`);
  return result.data;
}

const optional = <T>(schema: z.ZodType<T>, value: unknown, field: string): T | undefined =>
  value === undefined || value === "" ? undefined : parse(schema, value, field);

async function body(request: Request): Promise<Record<string, unknown>> {
  const parsed = (await request.json().catch(() => ({}))) as unknown;
  return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

export function backupRoutes(service: BackupService): Hono {
  const routes = new Hono();

  routes.get("/backups", (c) => {
    const all = c.req.query("all") === "1";
    const response: BackupsResponse = {
      backups: service
        .list({
          app: optional(appName, c.req.query("app"), "app"),
          env: optional(envName, c.req.query("env"), "env"),
          name: optional(dbName, c.req.query("db"), "db"),
          pruned: all,
        })
        .map(backupView),
    };
    return c.json(response);
  });

  routes.post("/apps/:app/backups", async (c) => {
    const app = parse(appName, c.req.param("app"), "app");
    const input = await body(c.req.raw);
    const records = await service.backUp({
      app,
      env: optional(envName, input.env, "env") ?? PRODUCTION,
      name: optional(dbName, input.db, "db"),
      trigger: "manual",
    });
    const response: BackupNowResponse = { backups: records.map(backupView) };
    return c.json(response);
  });

  routes.post("/apps/:app/backups/:id/verify", async (c) => {
    const app = parse(appName, c.req.param("app"), "app");
    const id = parse(backupId, c.req.param("id"), "backup");
    return c.json({ backup: backupView(await service.verify(app, id)) });
  });

  routes.post("/apps/:app/backups/:id/restore", async (c) => {
    const app = parse(appName, c.req.param("app"), "app");
    const id = parse(backupId, c.req.param("id"), "backup");
    const input = await body(c.req.raw);
    const result = await service.restore({
      app,
      id,
      env: optional(envName, input.env, "env"),
      force: input.force === true,
      requestedBy: typeof input.requestedBy === "string" ? input.requestedBy : null,
    });
    const response: RestoreResponse = {
      backup: backupView(result.backup),
      env: result.env,
      safety: result.safety && backupView(result.safety),
      durationMs: result.durationMs,
      note: result.note,
    };
    return c.json(response);
  });

  return routes;
}
