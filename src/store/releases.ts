import semver from "semver";
import type { AppConfig } from "../config/schema.js";
import { PRODUCTION } from "../environments/names.js";
import type { Db } from "./db.js";

export type ReleaseStatus = "deploying" | "live" | "superseded" | "failed" | "rolled-back" | "removed";
/** How a release came to be: a deploy from the CLI or a webhook, a promote, or a (manual or automatic) rollback. */
export type Trigger = "cli" | "webhook" | "promote" | "rollback" | "auto-rollback";

export interface CommitRecord {
  sha: string;
  message: string;
  author: string;
  /** Epoch ms. */
  time: number;
}

export interface Release {
  app: string;
  id: string;
  seq: number;
  env: string;
  artifact: string;
  trigger: Trigger;
  status: ReleaseStatus;
  reason: string | null;
  /** The semantic version of a production release, from its commits. */
  version: string | null;
  commit: CommitRecord | null;
  deployedBy: string | null;
  config: AppConfig;
  /** A container release's pinned image (null for host processes, and until its `built` step). */
  image: ReleaseImage | null;
  rollbackOf: string | null;
  createdAt: number;
  finishedAt: number | null;
  liveAt: number | null;
  endedAt: number | null;
}

/** The image a container release runs: the engine's id, and the registry digest of a pulled one. */
export interface ReleaseImage {
  id: string;
  repoDigest: string | null;
}

interface Row {
  app: string;
  id: string;
  seq: number;
  env: string;
  artifact: string;
  trigger: Trigger;
  status: ReleaseStatus;
  reason: string | null;
  version: string | null;
  commit_sha: string | null;
  commit_message: string | null;
  commit_author: string | null;
  commit_time: number | null;
  deployed_by: string | null;
  config: string;
  image_id: string | null;
  image_digest: string | null;
  rollback_of: string | null;
  created_at: number;
  finished_at: number | null;
  live_at: number | null;
  ended_at: number | null;
}

function fromRow(row: Row): Release {
  return {
    app: row.app,
    id: row.id,
    seq: row.seq,
    env: row.env,
    artifact: row.artifact,
    trigger: row.trigger,
    status: row.status,
    reason: row.reason,
    version: row.version,
    commit:
      row.commit_sha === null
        ? null
        : {
            sha: row.commit_sha,
            message: row.commit_message ?? "",
            author: row.commit_author ?? "",
            time: row.commit_time ?? 0,
          },
    deployedBy: row.deployed_by,
    config: JSON.parse(row.config) as AppConfig,
    image: row.image_id === null ? null : { id: row.image_id, repoDigest: row.image_digest },
    rollbackOf: row.rollback_of,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    liveAt: row.live_at,
    endedAt: row.ended_at,
  };
}

export interface NewRelease {
  app: string;
  env?: string;
  trigger: Trigger;
  /** Defaults to the new release itself (a deploy brings its own files). */
  artifact?: string;
  version?: string | null;
  commit: CommitRecord | null;
  deployedBy: string | null;
  config: AppConfig;
  /** A rollback's or a promote's: the image of the release whose build it runs. */
  image?: ReleaseImage | null;
  rollbackOf?: string | null;
  now: number;
}

/** A release as DORA metrics see it (src/metrics/dora.ts's DeployRecord), times in ISO 8601. */
export interface DeliveryRecord {
  app: string;
  env: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: ReleaseStatus;
  trigger: Trigger;
  commitTime: string | null;
  wentLiveAt: string | null;
}

interface DeliveryRow {
  app: string;
  env: string;
  trigger: Trigger;
  status: ReleaseStatus;
  commit_time: number | null;
  created_at: number;
  finished_at: number | null;
  live_at: number | null;
}

const DELIVERY_COLUMNS =
  "SELECT app, env, trigger, status, commit_time, created_at, finished_at, live_at FROM releases";

/** The releases table: every deploy and rollback of every app, newest last. */
export class Releases {
  constructor(private readonly db: Db) {}

  create(input: NewRelease): Release {
    return this.db.transaction(() => {
      const { next } = this.db
        .prepare("SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM releases WHERE app = ?")
        .get(input.app) as { next: number };
      const id = `r${next}`;
      this.db
        .prepare(
          `INSERT INTO releases (app, id, seq, env, artifact, trigger, status, version, commit_sha, commit_message,
             commit_author, commit_time, deployed_by, config, image_id, image_digest, rollback_of, created_at)
           VALUES (?, ?, ?, ?, ?, ?, 'deploying', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.app,
          id,
          next,
          input.env ?? PRODUCTION,
          input.artifact ?? id,
          input.trigger,
          input.version ?? null,
          input.commit?.sha ?? null,
          input.commit?.message ?? null,
          input.commit?.author ?? null,
          input.commit?.time ?? null,
          input.deployedBy,
          JSON.stringify(input.config),
          input.image?.id ?? null,
          input.image?.repoDigest ?? null,
          input.rollbackOf ?? null,
          input.now,
        );
      return this.get(input.app, id)!;
    })();
  }

  get(app: string, id: string): Release | undefined {
    const row = this.db.prepare("SELECT * FROM releases WHERE app = ? AND id = ?").get(app, id) as
      | Row
      | undefined;
    return row && fromRow(row);
  }

  /** Newest first. */
  list(app: string, limit = 1000): Release[] {
    const rows = this.db
      .prepare("SELECT * FROM releases WHERE app = ? ORDER BY seq DESC LIMIT ?")
      .all(app, limit) as Row[];
    return rows.map(fromRow);
  }

  live(app: string, env = PRODUCTION): Release | undefined {
    const row = this.db
      .prepare(
        "SELECT * FROM releases WHERE app = ? AND env = ? AND status = 'live' ORDER BY seq DESC LIMIT 1",
      )
      .get(app, env) as Row | undefined;
    return row && fromRow(row);
  }

  /** Every live release of every app: what a restarted agent brings back. */
  allLive(): Release[] {
    return (
      this.db.prepare("SELECT * FROM releases WHERE status = 'live' ORDER BY app, env").all() as Row[]
    ).map(fromRow);
  }

  /** Releases left `deploying` by an agent that stopped mid-deploy. */
  unfinished(): Release[] {
    return (this.db.prepare("SELECT * FROM releases WHERE status = 'deploying'").all() as Row[]).map(fromRow);
  }

  /**
   * Makes `id` the live release of its app and env, and ends the one it replaces with `previousStatus`.
   * One transaction, so the ledger never shows two live releases or none.
   */
  goLive(
    app: string,
    id: string,
    previousStatus: "superseded" | "rolled-back",
    now: number,
    reason?: string,
  ): void {
    this.db.transaction(() => {
      const release = this.get(app, id);
      if (!release) throw new Error(`release ${app}/${id} not found`);
      this.db
        .prepare(
          `UPDATE releases SET status = ?, ended_at = ?, reason = COALESCE(?, reason)
           WHERE app = ? AND env = ? AND status = 'live' AND id != ?`,
        )
        .run(previousStatus, now, reason ?? null, app, release.env, id);
      this.db
        .prepare("UPDATE releases SET status = 'live', live_at = ?, finished_at = ? WHERE app = ? AND id = ?")
        .run(now, now, app, id);
    })();
  }

  /** Records the image a container release's `built` step pinned. */
  setImage(app: string, id: string, image: ReleaseImage): void {
    this.db
      .prepare("UPDATE releases SET image_id = ?, image_digest = ? WHERE app = ? AND id = ?")
      .run(image.id, image.repoDigest, app, id);
  }

  /** Takes a live release out of service for good (a preview whose branch is gone). */
  remove(app: string, id: string, reason: string, now: number): void {
    this.db
      .prepare(
        "UPDATE releases SET status = 'removed', reason = ?, ended_at = ? WHERE app = ? AND id = ? AND status = 'live'",
      )
      .run(reason, now, app, id);
  }

  /**
   * Where the next version counts from: the highest version a production release went live with.
   * Highest, not newest: a rollback, or a deploy of an older commit that keeps its old version, carries
   * an older version, and counting from it would hand a version out twice.
   */
  lastVersion(app: string): { version: string; sha: string } | undefined {
    const rows = this.db
      .prepare(
        `SELECT version, commit_sha FROM releases WHERE app = ? AND env = ? AND version IS NOT NULL
           AND commit_sha IS NOT NULL AND live_at IS NOT NULL ORDER BY seq DESC`,
      )
      .all(app, PRODUCTION) as Array<{ version: string; commit_sha: string }>;
    let best: { version: string; commit_sha: string } | undefined;
    for (const row of rows) {
      if (semver.valid(row.version) && (!best || semver.gt(row.version, best.version))) best = row;
    }
    return best && { version: best.version, sha: best.commit_sha };
  }

  /** The version a production deploy of this commit got, if one did: a commit keeps its version. */
  versionOfCommit(app: string, sha: string): string | undefined {
    const row = this.db
      .prepare(
        `SELECT version FROM releases WHERE app = ? AND env = ? AND commit_sha = ? AND version IS NOT NULL
           AND live_at IS NOT NULL ORDER BY seq DESC LIMIT 1`,
      )
      .get(app, PRODUCTION, sha) as { version: string } | undefined;
    return row?.version;
  }

  /** The newest release of `env` with this version (`1.4.2` or `v1.4.2`). */
  byVersion(app: string, env: string, version: string): Release | undefined {
    const row = this.db
      .prepare("SELECT * FROM releases WHERE app = ? AND env = ? AND version = ? ORDER BY seq DESC LIMIT 1")
      .get(app, env, version.replace(/^v/, "")) as Row | undefined;
    return row && fromRow(row);
  }

  fail(app: string, id: string, reason: string, now: number): void {
    this.db
      .prepare(
        "UPDATE releases SET status = 'failed', reason = ?, finished_at = ? WHERE app = ? AND id = ? AND status = 'deploying'",
      )
      .run(reason, now, app, id);
  }

  /** Newest first, one page of one deployment's history (every environment when `env` is not given). */
  page(app: string, options: { env?: string; limit: number; offset?: number }): Release[] {
    const rows = (
      options.env === undefined
        ? this.db
            .prepare("SELECT * FROM releases WHERE app = ? ORDER BY seq DESC LIMIT ? OFFSET ?")
            .all(app, options.limit, options.offset ?? 0)
        : this.db
            .prepare("SELECT * FROM releases WHERE app = ? AND env = ? ORDER BY seq DESC LIMIT ? OFFSET ?")
            .all(app, options.env, options.limit, options.offset ?? 0)
    ) as Row[];
    return rows.map(fromRow);
  }

  count(app: string, env?: string): number {
    const row = (
      env === undefined
        ? this.db.prepare("SELECT COUNT(*) AS n FROM releases WHERE app = ?").get(app)
        : this.db.prepare("SELECT COUNT(*) AS n FROM releases WHERE app = ? AND env = ?").get(app, env)
    ) as { n: number };
    return row.n;
  }

  /**
   * Each app's newest release (any environment): when it was last deployed, and how that went. The
   * apps are found by hopping through the (app, seq) index, one seek per app, not by reading the
   * whole history (bench/dashboard.ts: 50 apps, 10,000 releases).
   */
  newestPerApp(): Map<string, Release> {
    const rows = this.db
      .prepare(
        `WITH RECURSIVE apps(app) AS (
           SELECT MIN(app) FROM releases
           UNION ALL SELECT (SELECT MIN(app) FROM releases WHERE app > apps.app) FROM apps WHERE apps.app IS NOT NULL
         )
         SELECT r.* FROM apps
           JOIN releases r ON r.app = apps.app AND r.seq = (SELECT MAX(seq) FROM releases WHERE app = apps.app)`,
      )
      .all() as Row[];
    return new Map(rows.map((row) => [row.app, fromRow(row)]));
  }

  /**
   * What DORA metrics count, for releases started since `since` (every app when `app` is not given):
   * only the columns they need, so a report over thousands of releases parses no configs.
   */
  deliveryRecords(app: string | undefined, since: number): DeliveryRecord[] {
    const rows = (
      app === undefined
        ? this.db.prepare(`${DELIVERY_COLUMNS} WHERE created_at >= ? ORDER BY created_at`).all(since)
        : this.db
            .prepare(`${DELIVERY_COLUMNS} WHERE app = ? AND created_at >= ? ORDER BY created_at`)
            .all(app, since)
    ) as DeliveryRow[];
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return rows.map((r) => ({
      app: r.app,
      env: r.env,
      startedAt: iso(r.created_at)!,
      finishedAt: iso(r.finished_at),
      outcome: r.status,
      trigger: r.trigger,
      commitTime: r.commit_time ? iso(r.commit_time) : null,
      wentLiveAt: iso(r.live_at),
    }));
  }

  apps(): string[] {
    return (this.db.prepare("SELECT DISTINCT app FROM releases ORDER BY app").all() as { app: string }[]).map(
      (r) => r.app,
    );
  }
}
