import { join } from "node:path";
import Database from "better-sqlite3";

// The repository and the prebuild are shared with bench:deploy-cache.
export { betterSqlitePrebuild, notesRepo } from "../../bench/support/notes-app.js";

/** The app's database in its production storage, read-only (the app, its worker and backups write it). */
export function notesDatabase(storageDir: string): Database.Database {
  const db = new Database(join(storageDir, "data", "notes.db"), { readonly: true, fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  return db;
}
