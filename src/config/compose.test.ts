import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import {
  accessoriesFromCompose,
  composeDuration,
  portMapping,
  readEnvironment,
  shellWords,
} from "./compose.js";
import { parseAppConfig } from "./load.js";

/** Real compose files from docker/awesome-compose (CC0-1.0); each fixture's first lines name its source. */
const fixture = (name: string) =>
  readFileSync(new URL(`./test-support/compose/${name}.yaml`, import.meta.url), "utf8");

describe("accessoriesFromCompose on awesome-compose's files", () => {
  it.each([
    {
      file: "gitea-postgres",
      accessories: {
        gitea: {
          image: "gitea/gitea:latest",
          env: {
            DB_TYPE: "postgres",
            DB_HOST: "db:5432",
            DB_NAME: "gitea",
            DB_USER: "gitea",
            DB_PASSWD: "gitea",
          },
          port: 3000,
          host_port: 3000,
          volumes: ["git_data:/data"],
        },
        db: {
          image: "postgres:alpine",
          env: { POSTGRES_USER: "gitea", POSTGRES_PASSWORD: "gitea", POSTGRES_DB: "gitea" },
          port: 5432,
          volumes: ["db_data:/var/lib/postgresql/data"],
        },
      },
      skipped: [],
    },
    {
      file: "nginx-golang-postgres",
      accessories: {
        db: {
          image: "postgres",
          env: { POSTGRES_DB: "example" },
          port: 5432,
          volumes: ["db-data:/var/lib/postgresql/data"],
          healthcheck: { command: "pg_isready", interval: "10000ms", timeout: "5000ms", retries: 5 },
          user: "postgres",
        },
        proxy: { image: "nginx", port: 80, host_port: 80 },
      },
      skipped: ["backend"],
      notes: [
        "services.db.environment.POSTGRES_PASSWORD_FILE: reads a compose secret file, which is not mounted: left out; set POSTGRES_PASSWORD with `skiff secrets set POSTGRES_PASSWORD` and list it in secrets:",
        "services.proxy.volumes.0: ./proxy/nginx.conf is a file of the project; left out: build it into an image",
      ],
    },
    {
      file: "react-express-mongodb",
      accessories: { mongo: { image: "mongo:4.2.0", port: 27017, volumes: ["mongo_data:/data/db"] } },
      skipped: ["frontend", "backend"],
    },
    {
      file: "nextcloud-redis-mariadb",
      accessories: {
        redis: { image: "redis:alpine", port: 6379 },
        db: {
          image: "mariadb:10.5",
          command: ["--transaction-isolation=READ-COMMITTED", "--binlog-format=ROW"],
          volumes: ["db_data:/var/lib/mysql"],
          port: 3306,
        },
      },
      skipped: [],
    },
    {
      file: "postgresql-pgadmin",
      accessories: {
        postgres: {
          image: "postgres:latest",
          secrets: {
            POSTGRES_USER: "POSTGRES_USER",
            POSTGRES_PASSWORD: "POSTGRES_PW",
            POSTGRES_DB: "POSTGRES_DB",
          },
          port: 5432,
          host_port: 5432,
        },
      },
      skipped: [],
      notes: [
        `services.postgres.environment.POSTGRES_PASSWORD: reads \${POSTGRES_PW}: set it with \`skiff secrets set POSTGRES_PW\``,
      ],
    },
    {
      file: "nginx-flask-mysql",
      accessories: {
        db: {
          image: "mariadb:10-focal",
          env: { MYSQL_DATABASE: "example" },
          command: ["--default-authentication-plugin=mysql_native_password"],
          // `$$` in compose is a literal `$`.
          healthcheck: {
            command: 'mysqladmin ping -h 127.0.0.1 --password="$(cat /run/secrets/db-password)" --silent',
            interval: "3000ms",
            start_period: "30000ms",
            retries: 5,
          },
        },
      },
      skipped: ["backend", "proxy"],
    },
    {
      file: "react-rust-postgres",
      accessories: {
        db: {
          image: "postgres:12-alpine",
          env: { POSTGRES_PASSWORD: "mysecretpassword" },
          port: 5432,
          host_port: 5432,
          volumes: ["db-data:/var/lib/postgresql/data"],
        },
      },
      skipped: ["frontend", "backend"],
    },
    {
      file: "elasticsearch-logstash-kibana",
      accessories: {
        elasticsearch: {
          image: "elasticsearch:7.16.1",
          env: { "discovery.type": "single-node", ES_JAVA_OPTS: "-Xms512m -Xmx512m" },
          port: 9200,
          host_port: 9200,
          healthcheck: { command: "curl --silent --fail localhost:9200/_cluster/health || exit 1" },
        },
        logstash: {
          port: 5000,
          command: ["logstash", "-f", "/usr/share/logstash/pipeline/logstash-nginx.config"],
        },
      },
      skipped: [],
      notes: [
        'services.logstash.ports: "5000:5000/udp" is not a single TCP port mapping; left out',
        'services.elasticsearch.ports: "9300:9300": an accessory gives the app one port; only the first is kept',
      ],
    },
    {
      file: "minecraft",
      accessories: {
        minecraft: { image: "itzg/minecraft-server", env: { EULA: "TRUE" }, memory: "1.5g", port: 25565 },
      },
      skipped: [],
      notes: [
        "services.minecraft.volumes.0: host path ~/minecraft_data left out: an accessory keeps its data in the app's storage",
      ],
    },
    {
      file: "aspnet-mssql",
      accessories: {
        db: {
          image: "mcr.microsoft.com/azure-sql-edge:1.0.4",
          healthcheck: { interval: "10000ms", timeout: "3000ms", start_period: "10000ms", retries: 10 },
        },
      },
      skipped: ["web"],
    },
    {
      file: "prometheus-grafana",
      accessories: {
        prometheus: {
          image: "prom/prometheus",
          command: ["--config.file=/etc/prometheus/prometheus.yml"],
          volumes: ["prometheus:/etc/prometheus", "prom_data:/prometheus"],
        },
        grafana: {
          env: { GF_SECURITY_ADMIN_USER: "admin", GF_SECURITY_ADMIN_PASSWORD: "grafana" },
          volumes: ["grafana:/etc/grafana/provisioning/datasources"],
        },
      },
      skipped: [],
      notes: [
        "services.prometheus.volumes.0: ./prometheus becomes the storage folder prometheus, empty at first",
      ],
    },
    { file: "nginx-wsgi-flask", accessories: {}, skipped: ["nginx-proxy", "flask-app"] },
  ])("$file", ({ file, accessories, skipped, notes = [] }) => {
    const result = accessoriesFromCompose(fixture(file), `${file}.yaml`);
    expect(result.accessories).toMatchObject(accessories);
    expect(result.skipped.map((s) => s.service)).toEqual(skipped);
    expect(result.notes).toEqual(expect.arrayContaining(notes));
  });

  it("every entry it produces is a valid skiff.yml accessory", () => {
    const files = [
      "gitea-postgres",
      "nginx-golang-postgres",
      "nextcloud-redis-mariadb",
      "postgresql-pgadmin",
      "nginx-flask-mysql",
      "elasticsearch-logstash-kibana",
      "minecraft",
      "prometheus-grafana",
    ];
    for (const file of files) {
      const { accessories } = accessoriesFromCompose(fixture(file));
      const text = JSON.stringify({ app: "x", image: "app:1", accessories });
      // JSON is YAML: the same text goes through the whole skiff.yml schema.
      expect(Object.keys(parseAppConfig(text).accessories)).toEqual(Object.keys(accessories));
    }
  });

  it("names the file when it has no services", () => {
    expect(() => accessoriesFromCompose("version: '3'\n", "compose.yaml")).toThrow(ConfigError);
    expect(() => accessoriesFromCompose("version: '3'\n", "compose.yaml")).toThrow(
      "compose.yaml is not valid:\n  - services: expected a mapping of services",
    );
  });

  it("renames a service whose name skiff.yml cannot take, and says so", () => {
    const result = accessoriesFromCompose("services:\n  My_DB:\n    image: postgres:16\n");
    expect(Object.keys(result.accessories)).toEqual(["my-db"]);
    expect(result.notes).toEqual([
      "services.My_DB: named my-db in skiff.yml (accessory names are lowercase letters, digits and dashes)",
    ]);
  });

  it("skips a service whose image is not a reference it can pull", () => {
    const result = accessoriesFromCompose(`services:\n  app:\n    image: \${REGISTRY}/app\n`);
    expect(result.skipped).toEqual([
      { service: "app", reason: expect.stringContaining(`image "\${REGISTRY}/app"`) },
    ]);
  });
});

describe("compose fields", () => {
  it.each([
    { value: ["A=1", "B=x=y", "EMPTY="], env: { A: "1", B: "x=y", EMPTY: "" }, secrets: {} },
    { value: { A: 1, B: true, C: "$$HOME" }, env: { A: "1", B: "true", C: "$HOME" }, secrets: {} },
    { value: ["TOKEN"], env: {}, secrets: { TOKEN: "TOKEN" } },
    { value: { TOKEN: null }, env: {}, secrets: { TOKEN: "TOKEN" } },
    { value: { PASSWORD: `\${DB_PW}` }, env: {}, secrets: { PASSWORD: "DB_PW" } },
    { value: { PASSWORD: `\${DB_PW:-changeme}` }, env: {}, secrets: { PASSWORD: "DB_PW" } },
    { value: { PASSWORD: "$DB_PW" }, env: {}, secrets: { PASSWORD: "DB_PW" } },
    { value: { URL: `postgres://\${USER}@db/app` }, env: {}, secrets: {} },
    { value: { PW_FILE: "/run/secrets/pw" }, env: {}, secrets: {} },
  ])("environment $value", ({ value, env, secrets }) => {
    expect(readEnvironment(value, () => {})).toEqual({ env, secrets });
  });

  it.each([
    ["5432", { target: 5432 }],
    [5432, { target: 5432 }],
    ["3000:3000", { target: 3000, published: 3000 }],
    ["127.0.0.1:15432:5432", { target: 5432, published: 15432 }],
    ["[::1]:8080:80", { target: 80, published: 8080 }],
    ["8080:80/tcp", { target: 80, published: 8080 }],
    ["5000:5000/udp", undefined],
    ["9000-9010:9000-9010", undefined],
    [
      { target: 80, published: 8080 },
      { target: 80, published: 8080 },
    ],
    [{ target: 53, protocol: "udp" }, undefined],
  ])("port %j", (entry, expected) => expect(portMapping(entry)).toEqual(expected));

  it.each([
    ["--a --b", ["--a", "--b"]],
    ['logstash -f "/a b/c.conf"', ["logstash", "-f", "/a b/c.conf"]],
    ["sh -c 'echo $HOME && exit 1'", ["sh", "-c", "echo $HOME && exit 1"]],
    ['a "" b', ["a", "", "b"]],
    ["a\\ b c", ["a b", "c"]],
  ])("command %j", (text, words) => expect(shellWords(text)).toEqual(words));

  it.each([
    ["10s", 10_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["1h", 3_600_000],
    ["10", undefined],
    ["soon", undefined],
  ])("duration %j", (text, ms) => expect(composeDuration(text)).toBe(ms));
});
