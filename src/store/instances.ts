import type { Db } from "./db.js";

export interface InstanceRecord {
  id: string;
  app: string;
  artifact: string;
  idx: number;
  pid: number | null;
  port: number;
  state: "running" | "stopped";
  startedAt: number;
}

interface Row {
  id: string;
  app: string;
  artifact: string;
  idx: number;
  pid: number | null;
  port: number;
  state: "running" | "stopped";
  started_at: number;
}

/**
 * The processes the runtime has running right now (a row is removed when its process stops), so an agent
 * that starts after a crash knows what its predecessor left behind.
 */
export class Instances {
  constructor(private readonly db: Db) {}

  upsert(record: InstanceRecord): void {
    this.db
      .prepare(
        `INSERT INTO instances (id, app, artifact, idx, pid, port, state, started_at)
         VALUES (@id, @app, @artifact, @idx, @pid, @port, @state, @startedAt)
         ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, port = excluded.port, state = excluded.state,
           started_at = excluded.started_at`,
      )
      .run(record);
  }

  remove(id: string): void {
    this.db.prepare("DELETE FROM instances WHERE id = ?").run(id);
  }

  running(): InstanceRecord[] {
    const rows = this.db.prepare("SELECT * FROM instances WHERE state = 'running'").all() as Row[];
    return rows.map((row) => ({
      id: row.id,
      app: row.app,
      artifact: row.artifact,
      idx: row.idx,
      pid: row.pid,
      port: row.port,
      state: row.state,
      startedAt: row.started_at,
    }));
  }
}
