import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { configIssues, withSection } from "../config/test-support/config-issues.js";
import { backupSecretProblems } from "./admission.js";
import { backupSecrets } from "./config.js";

describe("backups config", () => {
  it("fills the defaults: name db, daily, 30 days with the newest 7 kept, local", () => {
    const config = parseAppConfig(withSection("backups:\n  - sqlite: data/app.db\n"));
    expect(config.backups).toEqual([
      {
        name: "db",
        source: { kind: "sqlite", path: "data/app.db" },
        schedule: "daily",
        keep: { kind: "age", ms: 30 * 86_400_000, min: 7 },
        to: [{ kind: "local" }],
        encryptionKeySecret: undefined,
      },
    ]);
    expect(parseAppConfig(withSection("")).backups).toEqual([]);
  });

  it("reads postgres, a cron schedule, a count, S3 with its defaults and encryption", () => {
    const config = parseAppConfig(
      withSection(`
backups:
  - name: main
    postgres_url_secret: DATABASE_URL
    schedule: "*/10 * * * *"
    keep: 14
    to:
      - local
      - s3: { endpoint: "http://127.0.0.1:9000", bucket: my-backups, prefix: skiff }
      - s3: { bucket: other, region: eu-central-1, access_key_id_secret: K, secret_access_key_secret: S }
    encryption: { key_secret: BACKUP_KEY }
`),
    );
    expect(config.backups[0]).toEqual({
      name: "main",
      source: { kind: "postgres", urlSecret: "DATABASE_URL" },
      schedule: "*/10 * * * *",
      keep: { kind: "count", count: 14 },
      to: [
        { kind: "local" },
        {
          kind: "s3",
          endpoint: "http://127.0.0.1:9000",
          bucket: "my-backups",
          prefix: "skiff/",
          region: "us-east-1",
          accessKeyIdSecret: "AWS_ACCESS_KEY_ID",
          secretAccessKeySecret: "AWS_SECRET_ACCESS_KEY",
          pathStyle: true,
        },
        {
          kind: "s3",
          endpoint: undefined,
          bucket: "other",
          prefix: "",
          region: "eu-central-1",
          accessKeyIdSecret: "K",
          secretAccessKeySecret: "S",
          pathStyle: false,
        },
      ],
      encryptionKeySecret: "BACKUP_KEY",
    });
    expect(backupSecrets(config.backups[0]!, 0).map((s) => `${s.field}=${s.name}`)).toEqual([
      "backups.0.postgres_url_secret=DATABASE_URL",
      "backups.0.to.1.s3.access_key_id_secret=AWS_ACCESS_KEY_ID",
      "backups.0.to.1.s3.secret_access_key_secret=AWS_SECRET_ACCESS_KEY",
      "backups.0.to.2.s3.access_key_id_secret=K",
      "backups.0.to.2.s3.secret_access_key_secret=S",
      "backups.0.encryption.key_secret=BACKUP_KEY",
    ]);
  });

  it.each([
    ["backups: yes", "backups: expected a list of databases (- sqlite: data/app.db)"],
    ["backups:\n  - name: db", "backups.0: needs `sqlite: PATH` or `postgres_url_secret: NAME`"],
    [
      "backups:\n  - sqlite: a.db\n    postgres_url_secret: URL",
      "backups.0: has both sqlite: and postgres_url_secret:",
    ],
    ["backups:\n  - sqlite: /var/app.db", "backups.0.sqlite: expected a path inside the app's storage"],
    ["backups:\n  - sqlite: ../other/app.db", "backups.0.sqlite: expected a path inside the app's storage"],
    [
      "backups:\n  - postgres_url_secret: postgres://u:p@db/app",
      "backups.0.postgres_url_secret: expected the name of an agent secret (like DATABASE_URL)",
    ],
    ["backups:\n  - sqlite: a.db\n    schedule: sometimes", "backups.0.schedule: expected `daily`"],
    ["backups:\n  - sqlite: a.db\n    schedule: '61 * * * *'", "backups.0.schedule: expected `daily`"],
    ["backups:\n  - sqlite: a.db\n    schedule: '0 0 31 2 *'", 'backups.0.schedule: "0 0 31 2 *" never runs'],
    ["backups:\n  - sqlite: a.db\n    keep: forever", "backups.0.keep: expected a duration like 30d"],
    ["backups:\n  - sqlite: a.db\n    keep: 0", "backups.0.keep: expected a duration like 30d"],
    [
      "backups:\n  - sqlite: a.db\n    to: ftp",
      "backups.0.to: expected `local`, `s3: { bucket: …, … }` or a list of them",
    ],
    ["backups:\n  - sqlite: a.db\n    to: [local, local]", "backups.0.to: lists local twice"],
    [
      "backups:\n  - sqlite: a.db\n    to: { s3: { bucket: B } }",
      "backups.0.to.0.s3.bucket: expected a bucket name",
    ],
    [
      "backups:\n  - sqlite: a.db\n    to: [{ s3: { bucket: b-1, endpoint: 'https://k:s@s3.example.com' } }]",
      "backups.0.to.0.s3.endpoint: must not contain a user or password",
    ],
    ["backups:\n  - sqlite: a.db\n  - sqlite: b.db", 'backups.1.name: "db" is already the name of backups.0'],
    [
      "backups:\n  - sqlite: a.db\n    schedul: daily",
      "backups.0.schedul: unknown key (did you mean schedule?)",
    ],
    [
      "backups:\n  - sqlite: a.db\n    to: [{ s3: { bucket: b-1, regoin: x } }]",
      "backups.0.to.0.s3.regoin: unknown key (did you mean region?)",
    ],
  ])("%j → %s", (section, expected) => {
    const issues = configIssues(withSection(`${section}\n`));
    expect(
      issues.some((issue) => issue.startsWith(expected)),
      issues.join("\n"),
    ).toBe(true);
  });

  it("names each backups: secret the agent does not have, for deploy admission", () => {
    const config = parseAppConfig(
      withSection(
        "backups:\n  - postgres_url_secret: DATABASE_URL\n    encryption: { key_secret: BACKUP_KEY }\n",
      ),
    );
    const set = new Map([["BACKUP_KEY", "AGE-SECRET-KEY-1"]]);
    expect(backupSecretProblems(config, (name) => set.get(name))).toEqual([
      "backups.0.postgres_url_secret: DATABASE_URL is not set in the agent's secret store or environment (skiff secrets set DATABASE_URL)",
    ]);
  });

  it("lets an environment override backups: with the whole list", () => {
    const config = parseAppConfig(
      withSection(`
backups:
  - sqlite: data/app.db
environments:
  staging:
    backups: []
`),
    );
    expect(config.backups).toHaveLength(1);
    expect(config.environments.staging?.backups).toEqual([]);
  });
});
