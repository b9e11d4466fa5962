import type { Db } from "./db.js";

/** What kind of one-shot command a task runs: an install, a build, a release command, a one-off command (skiff run). */
export type TaskKind = "install" | "build" | "release" | "run";

export interface TaskRecord {
  id: string;
  app: string;
  release: string | null;
  kind: TaskKind;
  command: string;
  pid: number | null;
  startedAt: number;
}

interface Row {
  id: string;
  app: string;
  release: string | null;
  kind: TaskKind;
  command: string;
  pid: number | null;
  started_at: number;
}

/**
 * The one-shot processes running now (a row is removed when its process ends), so an agent that starts
 * after a crash knows which of them its predecessor left behind (see src/runtime/task-marker.ts).
 */
export class Tasks {
  constructor(private readonly db: Db) {}

  add(record: TaskRecord): void {
    this.db
      .prepare(
        `INSERT INTO tasks (id, app, release, kind, command, pid, started_at)
         VALUES (@id, @app, @release, @kind, @command, @pid, @startedAt)`,
      )
      .run(record);
  }

  setPid(id: string, pid: number): void {
    this.db.prepare("UPDATE tasks SET pid = ? WHERE id = ?").run(pid, id);
  }

  remove(id: string): void {
    this.db.prepare("DELETE FROM tasks WHERE id = ?").run(id);
  }

  all(): TaskRecord[] {
    return (this.db.prepare("SELECT * FROM tasks").all() as Row[]).map((row) => ({
      id: row.id,
      app: row.app,
      release: row.release,
      kind: row.kind,
      command: row.command,
      pid: row.pid,
      startedAt: row.started_at,
    }));
  }
}
