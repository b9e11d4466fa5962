import { chmodSync, closeSync, existsSync, fchmodSync, openSync, writeFileSync } from "node:fs";

/**
 * Files of the data directory that only the agent's user may read (the ledger holds commit messages,
 * authors, configs; agent.json its addresses): mode 0600 whatever the directory's mode or the umask.
 * A `mode` given to open applies only to a file it creates, and through the umask, so the mode is set
 * explicitly, which also tightens a file an older agent left readable.
 */
export function writePrivateFile(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * Creates `file` empty (0600) when it does not exist, and makes it and its `suffixes` siblings that do
 * exist 0600. SQLite gives the -wal and -shm files it creates the database file's mode, so a database
 * created 0600 keeps them 0600 too.
 */
export function makePrivate(file: string, suffixes: string[] = []): void {
  const fd = openSync(file, "a", 0o600);
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  for (const suffix of suffixes) if (existsSync(file + suffix)) chmodSync(file + suffix, 0o600);
}
