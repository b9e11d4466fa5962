import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import {
  accessoryAddress,
  accessoryAppEnv,
  accessoryEnvironment,
  accessorySpec,
  accessoryVolumeDir,
} from "./accessory-spec.js";
import { LABEL } from "./labels.js";

const owner = { agent: "a1b2c3", app: "shop", env: "production" };
const { db } = parseAppConfig(`
app: shop
image: app:1
accessories:
  db:
    image: postgres:16
    env: { POSTGRES_DB: shop }
    secrets: { POSTGRES_PASSWORD: DB_PASSWORD }
    volumes: ["data:/var/lib/postgresql/data"]
    app_env:
      DATABASE_URL: "postgres://postgres:\${POSTGRES_PASSWORD}@\${HOST}:\${PORT}/\${POSTGRES_DB}"
`).accessories as Record<string, NonNullable<ReturnType<typeof parseAppConfig>["accessories"][string]>>;

const spec = (password: string, hostPort = 41000) =>
  accessorySpec({
    owner,
    name: "db",
    config: db!,
    image: "sha256:1",
    containerPort: 5432,
    hostPort,
    storageDir: "/var/lib/skiff/storage/shop/production",
    env: accessoryEnvironment("db", db!, (name) => (name === "DB_PASSWORD" ? password : undefined)),
  });

describe("accessorySpec", () => {
  it("names, labels, mounts, networks and publishes the accessory, restarting with the engine", () => {
    const s = spec("pw1");
    expect(s).toMatchObject({
      name: "skiff-a1b2c3-shop-production-db",
      labels: {
        [LABEL.agent]: "a1b2c3",
        [LABEL.app]: "shop",
        [LABEL.env]: "production",
        [LABEL.accessory]: "db",
      },
      env: { POSTGRES_DB: "shop", POSTGRES_PASSWORD: "pw1" },
      publish: { hostPort: 41000, containerPort: 5432 },
      mounts: [
        {
          source: "/var/lib/skiff/storage/shop/production/accessories/db/data",
          target: "/var/lib/postgresql/data",
          readOnly: false,
        },
      ],
      network: { name: "skiff-a1b2c3-shop-production", aliases: ["db"] },
      restart: "unless-stopped",
    });
    expect(accessoryVolumeDir("/s", "db", "data")).toBe("/s/accessories/db/data");
  });

  it("its config hash changes with any input, a secret's value included, and never shows the value", () => {
    const hash = (s: ReturnType<typeof spec>) => s.labels[LABEL.configHash];
    expect(hash(spec("pw1"))).toBe(hash(spec("pw1")));
    expect(hash(spec("pw2"))).not.toBe(hash(spec("pw1")));
    expect(hash(spec("pw1", 41001))).not.toBe(hash(spec("pw1")));
    expect(JSON.stringify(spec("pw1").labels)).not.toContain("pw1");
  });

  it("a missing secret names the accessory's key", () => {
    expect(() => accessoryEnvironment("db", db!, () => undefined)).toThrow(
      "accessories.db.secrets.POSTGRES_PASSWORD: DB_PASSWORD is not set",
    );
  });
});

describe("accessoryAppEnv", () => {
  const env = { POSTGRES_DB: "shop", POSTGRES_PASSWORD: "pw" };
  it.each([
    ["container", "postgres://postgres:pw@db:5432/shop"],
    ["host", "postgres://postgres:pw@127.0.0.1:41000/shop"],
  ] as const)("for a %s app", (kind, url) => {
    const address = accessoryAddress("db", { containerPort: 5432, hostPort: 41000 }, kind);
    expect(accessoryAppEnv(db!, address, env)).toEqual({ DATABASE_URL: url });
  });
});
