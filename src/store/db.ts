import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";
import { makePrivate } from "./private-file.js";

export type Db = Database.Database;

/** Opens (creating if needed, mode 0600) the ledger and brings its schema up to date. */
export function openDb(file: string): Db {
  if (file !== ":memory:") makePrivate(file, ["-wal", "-shm"]);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
