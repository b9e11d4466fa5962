import type { AppConfig } from "../config/schema.js";
import type { Db } from "./db.js";

/** The apps the agent knows: each one's skiff.yml as its newest deploy brought it. */
export class Apps {
  constructor(private readonly db: Db) {}

  register(config: AppConfig, now: number): void {
    this.db
      .prepare(
        `INSERT INTO apps (name, config, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
      )
      .run(config.app, JSON.stringify(config), now);
  }

  config(name: string): AppConfig | undefined {
    const row = this.db.prepare("SELECT config FROM apps WHERE name = ?").get(name) as
      | { config: string }
      | undefined;
    return row && (JSON.parse(row.config) as AppConfig);
  }
}
