/**
 * The ledger's schema, one migration per entry. Never edit a shipped migration: append a new one.
 * Times are epoch milliseconds (INTEGER); JSON columns hold TEXT.
 */
export const MIGRATIONS: string[] = [
  `
  -- One row per activation: a deploy, or a rollback that put an earlier artifact back.
  CREATE TABLE releases (
    app             TEXT NOT NULL,
    id              TEXT NOT NULL,         -- r1, r2, … per app
    seq             INTEGER NOT NULL,
    env             TEXT NOT NULL DEFAULT 'production',
    artifact        TEXT NOT NULL,         -- the release id whose directory holds the files
    trigger         TEXT NOT NULL,         -- cli | webhook | promote | rollback | auto-rollback (was: deploy)
    status          TEXT NOT NULL,         -- deploying | live | superseded | failed | rolled-back
    reason          TEXT,                  -- why it failed or was rolled back
    commit_sha      TEXT,
    commit_message  TEXT,
    commit_author   TEXT,
    commit_time     INTEGER,
    deployed_by     TEXT,
    config          TEXT NOT NULL,         -- the skiff.yml this release runs with (JSON)
    rollback_of     TEXT,                  -- for a rollback: the release it replaced
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    live_at         INTEGER,
    ended_at        INTEGER,
    PRIMARY KEY (app, id),
    UNIQUE (app, seq)
  );

  CREATE TABLE events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    app          TEXT NOT NULL,
    release      TEXT,
    kind         TEXT NOT NULL,            -- step | instance | agent | rollback …
    name         TEXT NOT NULL,            -- received, unpacked, … or exited, restarted, …
    ok           INTEGER NOT NULL DEFAULT 1,
    at           INTEGER NOT NULL,
    duration_ms  INTEGER,
    message      TEXT,
    data         TEXT
  );
  CREATE INDEX events_by_release ON events (app, release, id);

  -- Processes the runtime started, so a restarted agent can find what a crashed one left behind.
  CREATE TABLE instances (
    id          TEXT PRIMARY KEY,          -- random; also in the process environment as SKIFF_INSTANCE
    app         TEXT NOT NULL,
    artifact    TEXT NOT NULL,
    idx         INTEGER NOT NULL,
    pid         INTEGER,
    port        INTEGER NOT NULL,
    state       TEXT NOT NULL,             -- running | stopped
    started_at  INTEGER NOT NULL
  );

  -- One deploy per app at a time: a lease the running deploy renews.
  CREATE TABLE leases (
    app         TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,             -- agent boot id + operation id
    who         TEXT NOT NULL,
    operation   TEXT NOT NULL,             -- deploy r7 of abc1234 …
    since       INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
  );
  `,
  `
  -- Versions from conventional commits (production deploys), and how a release came to be.
  ALTER TABLE releases ADD COLUMN version TEXT;
  UPDATE releases SET trigger = 'cli' WHERE trigger = 'deploy';

  -- Apps the agent knows: the skiff.yml of each app's newest deploy, for webhooks and promotes.
  CREATE TABLE apps (
    name        TEXT PRIMARY KEY,
    config      TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  `,
  `
  -- Monitor states survive restarts: an open incident stays open and is not alerted twice.
  CREATE TABLE monitor_states (
    id     TEXT PRIMARY KEY,              -- app/monitor
    state  TEXT NOT NULL                  -- JSON (src/monitor/monitor-state.ts)
  );

  CREATE TABLE incidents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    app          TEXT NOT NULL,
    monitor      TEXT NOT NULL,
    target       TEXT NOT NULL,
    cause        TEXT NOT NULL,
    release      TEXT,                    -- live when it opened
    started_at   INTEGER NOT NULL,        -- the first failed check
    opened_at    INTEGER NOT NULL,        -- the failure threshold crossed
    resolved_at  INTEGER
  );
  CREATE INDEX incidents_open ON incidents (app, monitor, resolved_at);

  -- Alerts that could not be delivered after their retries.
  CREATE TABLE alert_failures (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    app       TEXT NOT NULL,
    channel   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    error     TEXT NOT NULL,
    attempts  INTEGER NOT NULL,
    at        INTEGER NOT NULL
  );
  `,
  `
  -- Database backups (src/backups/): one row per attempt, numbered b1, b2, … per app.
  CREATE TABLE backups (
    app          TEXT NOT NULL,
    id           TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    env          TEXT NOT NULL,
    name         TEXT NOT NULL,           -- the database's name: in skiff.yml
    kind         TEXT NOT NULL,           -- sqlite | postgres
    trigger      TEXT NOT NULL,           -- schedule | missed | manual | release | safety
    release      TEXT,                    -- the release whose release: command it protects
    status       TEXT NOT NULL,           -- running | good | bad (failed verification) | failed (not taken)
    key_secret   TEXT,                    -- the agent secret holding its age key, when encrypted
    bytes        INTEGER,
    sha256       TEXT,                    -- of the archive as stored
    tables       TEXT,                    -- JSON: row count per table when taken
    locations    TEXT NOT NULL DEFAULT '[]', -- JSON: where copies are (local path, S3 bucket and key)
    verify_note  TEXT,                    -- how it was verified, or why it failed
    error        TEXT,
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    duration_ms  INTEGER,
    pruned_at    INTEGER,
    PRIMARY KEY (app, id),
    UNIQUE (app, seq)
  );
  CREATE INDEX backups_by_database ON backups (app, env, name, created_at);
  `,
  `
  -- An incident someone has seen and is working on (the dashboard's acknowledge): it stays open until
  -- its monitor recovers, but no longer needs a person's attention.
  ALTER TABLE incidents ADD COLUMN acknowledged_at INTEGER;
  ALTER TABLE incidents ADD COLUMN acknowledged_by TEXT;

  -- The live releases, read on every page of the dashboard and every agent start, without a scan of
  -- the whole history.
  CREATE INDEX releases_live ON releases (app, env) WHERE status = 'live';
  -- DORA metrics over a window read these columns only: from this index, not from the (wide) rows.
  CREATE INDEX releases_delivery
    ON releases (created_at, app, env, trigger, status, commit_time, finished_at, live_at);
  `,
  `
  -- One-shot processes run for a release (builds; release and one-off commands to come), so a restarted
  -- agent can stop what a crashed one left running, like instances.
  CREATE TABLE tasks (
    id          TEXT PRIMARY KEY,          -- random; also in the process environment as SKIFF_TASK
    app         TEXT NOT NULL,
    release     TEXT,
    kind        TEXT NOT NULL,             -- build
    command     TEXT NOT NULL,
    pid         INTEGER,
    started_at  INTEGER NOT NULL
  );

  -- Webhook deliveries already received, so a redelivered (or replayed) one is not acted on twice,
  -- across restarts. Pruned past the retention window.
  CREATE TABLE webhook_deliveries (
    id           TEXT PRIMARY KEY,         -- provider:app:delivery id
    received_at  INTEGER NOT NULL
  );
  CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (received_at);
  `,
  `
  -- One-off commands (skiff run): who ran what, in which release, when, for how long, how it ended. The
  -- command's environment (secrets) is never stored; its argv is, with any secret value of the app it
  -- contained replaced by the secret's name.
  CREATE TABLE runs (
    id           TEXT PRIMARY KEY,         -- run-<random>; also the task id (SKIFF_TASK) while it runs
    app          TEXT NOT NULL,
    env          TEXT NOT NULL,
    release      TEXT NOT NULL,            -- the live release it ran in
    argv         TEXT NOT NULL,            -- JSON array
    requested_by TEXT NOT NULL,            -- who ran it (the CLI's user)
    run_as       TEXT NOT NULL,            -- the system user the process ran as
    pid          INTEGER,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    exit_code    INTEGER,                  -- as a shell reports it: 128 + n for signal n
    signal       TEXT,
    ending       TEXT                      -- exited | interrupted (the client left or pressed Ctrl-C) | not-started | agent-stopped
  );
  CREATE INDEX runs_by_app ON runs (app, started_at);
  `,
];
