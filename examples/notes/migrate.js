// The release command (`release: node migrate.js`): applies migrations/NNN-*.sql in order, each once and
// each in its own transaction, recorded in schema_migrations. A failing migration exits non-zero, so the
// deploy stops at its `released` step and the previous release keeps serving.
import { readdirSync, readFileSync } from "node:fs";
import { openDatabase } from "./db.js";

const db = openDatabase();
db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
const applied = new Set(db.prepare("SELECT name FROM schema_migrations").pluck().all());
const pending = readdirSync(new URL("./migrations", import.meta.url))
  .filter((name) => name.endsWith(".sql") && !applied.has(name))
  .sort();

for (const name of pending) {
  const sql = readFileSync(new URL(`./migrations/${name}`, import.meta.url), "utf8");
  try {
    db.transaction(() => {
      db.exec(sql);
      db.prepare("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)").run(
        name,
        new Date().toISOString(),
      );
    })();
    console.log(`migrated: ${name}`);
  } catch (error) {
    console.error(`migration ${name} failed: ${error.message}`);
    process.exit(1);
  }
}
if (pending.length === 0) console.log("no migrations to apply");
db.close();
