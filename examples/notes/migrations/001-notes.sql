CREATE TABLE notes (
  id INTEGER PRIMARY KEY,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- Filled in by the worker.
  words INTEGER,
  processed_at TEXT
);
CREATE INDEX notes_unprocessed ON notes (id) WHERE processed_at IS NULL;
