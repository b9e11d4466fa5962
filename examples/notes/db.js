// The database every process of the app opens: data/notes.db, which `storage: [data]` keeps in Skiff's
// persistent storage (the release directory's data/ is a link to it).
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";

export function openDatabase() {
  mkdirSync("data", { recursive: true });
  const db = new Database("data/notes.db");
  // WAL: readers never wait for the writer, and Skiff's backups read a snapshot without blocking writes.
  db.pragma("journal_mode = WAL");
  // The web process, the worker, the release command and a backup share the file: wait for a lock.
  db.pragma("busy_timeout = 5000");
  return db;
}
