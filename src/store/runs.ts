import type { Db } from "./db.js";

/** How a one-off command ended: by itself, stopped because its client left, never started, or cut by the agent's stop or crash. */
export type RunEnding = "exited" | "interrupted" | "not-started" | "agent-stopped";

/** One `skiff run`: who ran what, in which release, when, and how it ended. */
export interface RunRecord {
  id: string;
  app: string;
  env: string;
  release: string;
  argv: string[];
  requestedBy: string;
  runAs: string;
  pid: number | null;
  startedAt: number;
  finishedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  ending: RunEnding | null;
}

interface Row {
  id: string;
  app: string;
  env: string;
  release: string;
  argv: string;
  requested_by: string;
  run_as: string;
  pid: number | null;
  started_at: number;
  finished_at: number | null;
  exit_code: number | null;
  signal: string | null;
  ending: RunEnding | null;
}

/** The ledger of one-off commands (`skiff runs`). */
export class Runs {
  constructor(private readonly db: Db) {}

  add(
    run: Pick<RunRecord, "id" | "app" | "env" | "release" | "argv" | "requestedBy" | "runAs" | "startedAt">,
  ): void {
    this.db
      .prepare(
        `INSERT INTO runs (id, app, env, release, argv, requested_by, run_as, started_at)
         VALUES (@id, @app, @env, @release, @argv, @requestedBy, @runAs, @startedAt)`,
      )
      .run({ ...run, argv: JSON.stringify(run.argv) });
  }

  setPid(id: string, pid: number): void {
    this.db.prepare("UPDATE runs SET pid = ? WHERE id = ?").run(pid, id);
  }

  finish(id: string, end: { at: number; exitCode: number; signal: string | null; ending: RunEnding }): void {
    this.db
      .prepare("UPDATE runs SET finished_at = ?, exit_code = ?, signal = ?, ending = ? WHERE id = ?")
      .run(end.at, end.exitCode, end.signal, end.ending, id);
  }

  /** How many runs have not ended (a reload waits for them). */
  unfinished(): number {
    return (
      this.db.prepare("SELECT COUNT(*) AS n FROM runs WHERE finished_at IS NULL").get() as { n: number }
    ).n;
  }

  /** Runs an earlier agent never saw end (it crashed or was killed): their processes were stopped at start. */
  endUnfinished(at: number): number {
    return this.db
      .prepare("UPDATE runs SET finished_at = ?, ending = 'agent-stopped' WHERE finished_at IS NULL")
      .run(at).changes;
  }

  get(id: string): RunRecord | undefined {
    const row = this.db.prepare("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row && fromRow(row);
  }

  /** Newest first. */
  list(app: string, limit: number): RunRecord[] {
    return (
      this.db
        .prepare("SELECT * FROM runs WHERE app = ? ORDER BY started_at DESC, rowid DESC LIMIT ?")
        .all(app, limit) as Row[]
    ).map(fromRow);
  }
}

function fromRow(row: Row): RunRecord {
  return {
    id: row.id,
    app: row.app,
    env: row.env,
    release: row.release,
    argv: JSON.parse(row.argv) as string[],
    requestedBy: row.requested_by,
    runAs: row.run_as,
    pid: row.pid,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    exitCode: row.exit_code,
    signal: row.signal,
    ending: row.ending,
  };
}
