// The worker process: counts the words of new notes, a batch every 100 ms. No port, no traffic; Skiff
// restarts it when it crashes, and stops it (SIGTERM, up to stop_timeout) once a new release is live.
import { openDatabase } from "./db.js";

const db = openDatabase();
const pending = db.prepare("SELECT id, body FROM notes WHERE processed_at IS NULL ORDER BY id LIMIT 100");
const done = db.prepare("UPDATE notes SET words = ?, processed_at = ?, processed_by = ? WHERE id = ?");
const batch = db.transaction((notes) => {
  const now = new Date().toISOString();
  for (const note of notes)
    done.run(note.body.split(/\s+/).filter(Boolean).length, now, process.pid, note.id);
});

let stopping = false;
const timer = setInterval(() => {
  // A batch is one transaction: a stop between two batches never leaves one half done.
  batch(pending.all());
  if (stopping) {
    clearInterval(timer);
    db.close();
    process.exit(0);
  }
}, 100);
console.log(`worker ${process.pid} counting words`);

process.on("SIGTERM", () => {
  stopping = true;
});
