import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { create } from "tar";
import { requireExternal } from "../../test-support/external.js";
import { packContext } from "../build-context.js";
import { removeContainer } from "../container.js";
import { connectEngine, engineStatus } from "../engine.js";
import { LABEL } from "../labels.js";
import { followProgress } from "../progress.js";
import type { RegistryAuth } from "../registry-auth.js";
import { RootFs } from "./rootfs.js";

/**
 * Images for tests, the benchmark and CI, built on the local engine from this machine's own files (no
 * registry is reachable here): a busybox base (2 MB), a Node base (the host's node and its libraries,
 * ~105 MB) and a PostgreSQL 15 image from Debian's packages. Every image and container made through a
 * `TestImages` is removed by id in `cleanup()`; a unique label per run keeps its image ids its own, so
 * removing them never touches another user's identical image on a shared engine.
 */

export const ENGINE_PACKAGE = "docker.io";

export const BUSYBOX = "/bin/busybox";

/**
 * The engine, or undefined (after a skip message naming the package; a failure under
 * SKIFF_REQUIRE_EXTERNAL=1). Every image here starts from Debian's static busybox, so it is required too.
 */
export async function testEngine(): Promise<Docker | undefined> {
  const docker = connectEngine();
  const status = await engineStatus(docker);
  const why = status.ok ? "" : status.reason;
  if (requireExternal("the Docker engine (dockerd)", ENGINE_PACKAGE, status.ok, why)) return undefined;
  if (requireExternal("a static busybox (the test images' shell)", "busybox-static", existsSync(BUSYBOX))) {
    return undefined;
  }
  return docker;
}

export interface BuiltImage {
  id: string;
  /** A tag unique to this run, usable in FROM and as a build arg. */
  tag: string;
}

export class TestImages {
  readonly run = randomBytes(4).toString("hex");
  private readonly images: string[] = [];
  private readonly containers = new Set<string>();
  private readonly tempDirs: string[] = [];

  constructor(readonly docker: Docker) {}

  /** busybox as /bin/sh, httpd, nc…: enough for a web "app" (`httpd -f`) and crash/exit scenarios. */
  busybox(): Promise<BuiltImage> {
    return this.fromRootFs("busybox", (root) => root.busybox(), []);
  }

  /** busybox with more of the host's programs (and the libraries they need), e.g. /usr/bin/sqlite3. */
  busyboxWith(name: string, programs: string[]): Promise<BuiltImage> {
    return this.fromRootFs(
      name,
      (root) => {
        root.busybox();
        for (const program of programs) root.binary(program);
      },
      [],
    );
  }

  /** The host's node with its libraries, on busybox: a Node app runs in it unchanged. */
  node(): Promise<BuiltImage> {
    return this.fromRootFs("node", (root) => root.busybox().binary(process.execPath), [
      "ENV PATH=/usr/local/bin:/usr/bin:/bin",
    ]);
  }

  /**
   * PostgreSQL 15 from Debian's postgresql-15 package: its binaries, libraries, share files and the time
   * zones, with an entrypoint that initialises the data directory on first start (as the official image
   * does) and runs the server as the postgres user. Throws when the package is not installed.
   */
  postgres(): Promise<BuiltImage> {
    const bin = "/usr/lib/postgresql/15/bin";
    return this.fromRootFs(
      "postgres",
      (root) => {
        root.busybox();
        for (const name of ["postgres", "initdb", "pg_ctl", "pg_isready", "psql", "pg_dump"])
          root.binary(`${bin}/${name}`);
        // Server extensions and encodings, without the JIT (llvmjit needs libLLVM, 100 MB; jit is off).
        root.tree("/usr/lib/postgresql/15/lib", (name) => name === "bitcode" || name.startsWith("llvmjit"));
        for (const library of ["plpgsql.so", "dict_snowball.so"])
          root.binary(`/usr/lib/postgresql/15/lib/${library}`);
        root.tree("/usr/share/postgresql/15");
        // UTC only (the server runs with timezone=UTC); the whole zoneinfo is 1,800 files.
        for (const zone of ["UTC", "Etc/UTC", "GMT", "Etc/GMT"]) root.file(`/usr/share/zoneinfo/${zone}`);
        const etc = join(root.dir, "etc");
        mkdirSync(etc, { recursive: true });
        writeFileSync(
          join(etc, "passwd"),
          "root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999::/var/lib/postgresql:/bin/sh\n",
        );
        writeFileSync(join(etc, "group"), "root:x:0:\npostgres:x:999:\n");
        writeFileSync(join(root.dir, "entrypoint.sh"), POSTGRES_ENTRYPOINT, { mode: 0o755 });
        mkdirSync(join(root.dir, "var/run/postgresql"), { recursive: true });
      },
      [
        "ENV PATH=/usr/lib/postgresql/15/bin:/bin PGDATA=/var/lib/postgresql/data TZ=UTC",
        "EXPOSE 5432",
        'ENTRYPOINT ["/entrypoint.sh"]',
      ],
    );
  }

  /** Builds `FROM base` + `lines` with `files` in the context (an app image over a base). */
  async build(name: string, files: Record<string, string>, dockerfile: string): Promise<BuiltImage> {
    const dir = this.tempDir(name);
    for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
    writeFileSync(join(dir, "Dockerfile"), `${dockerfile}\nLABEL skiff.test=${this.run}\n`);
    return this.buildDir(name, dir);
  }

  /** Tags `image` as `<registry>/<repository>:<tag>` and pushes it; returns the pushed reference. */
  async push(
    image: BuiltImage,
    registry: string,
    repository: string,
    tag: string,
    auth?: RegistryAuth,
  ): Promise<string> {
    await this.docker.getImage(image.id).tag({ repo: `${registry}/${repository}`, tag });
    const reference = `${registry}/${repository}:${tag}`;
    const stream = await this.docker.getImage(reference).push(auth ? { authconfig: auth } : {});
    await followProgress(stream, () => {});
    return reference;
  }

  /** Remembers an image or container a test made some other way, so cleanup removes it too. */
  track(kind: "image" | "container", id: string): void {
    if (kind === "image") this.images.push(id);
    else this.containers.add(id);
  }

  /** Containers first (they hold images), then images newest first (children before their bases). */
  async cleanup(): Promise<void> {
    await Promise.all([...this.containers].map((id) => removeContainer(this.docker.getContainer(id))));
    this.containers.clear();
    for (const id of [...new Set(this.images)].reverse()) {
      await this.docker
        .getImage(id)
        .remove({ force: true })
        .catch(() => undefined);
    }
    this.images.length = 0;
    for (const dir of this.tempDirs) rmSync(dir, { recursive: true, force: true });
  }

  /** Every container carrying this agent label (the tests' own agent ids), for cleanup after a failure. */
  async removeContainersOf(agent: string): Promise<void> {
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL.agent}=${agent}`] },
    });
    await Promise.all(list.map((c) => removeContainer(this.docker.getContainer(c.Id))));
  }

  tempDir(name: string): string {
    const dir = mkdtempSync(join(tmpdir(), `skiff-image-${name}-`));
    this.tempDirs.push(dir);
    return dir;
  }

  /**
   * `docker import` of the root filesystem with `changes` (ENV, EXPOSE, ENTRYPOINT): one layer and no
   * build container, so the vfs driver copies the files once instead of once per Dockerfile step.
   */
  private async fromRootFs(
    name: string,
    fill: (root: RootFs) => void,
    changes: string[],
  ): Promise<BuiltImage> {
    const dir = this.tempDir(name);
    fill(new RootFs(dir));
    const tag = `skiff-test/${name}:${this.run}`;
    const stream = await this.docker.importImage(
      create({ cwd: dir, portable: true }, readdirSync(dir)) as unknown as NodeJS.ReadableStream,
      { repo: `skiff-test/${name}`, tag: this.run, changes: [...changes, `LABEL skiff.test=${this.run}`] },
    );
    await followProgress(stream, () => {});
    return this.remember(tag);
  }

  private async buildDir(name: string, dir: string): Promise<BuiltImage> {
    const tag = `skiff-test/${name}:${this.run}`;
    const stream = await this.docker.buildImage(packContext(dir, "Dockerfile"), {
      t: tag,
      rm: true,
      forcerm: true,
    });
    await followProgress(stream, () => {});
    return this.remember(tag);
  }

  private async remember(tag: string): Promise<BuiltImage> {
    const info = await this.docker.getImage(tag).inspect();
    this.images.push(info.Id);
    return { id: info.Id, tag };
  }
}

/**
 * First start: create the data directory for the postgres user and initdb it (trust on the local socket,
 * a password over TCP when POSTGRES_PASSWORD is set). Every start: the server as postgres, listening on
 * every interface of the container (the engine publishes it on 127.0.0.1 only).
 */
const POSTGRES_ENTRYPOINT = `#!/bin/sh
set -e
mkdir -p "$PGDATA" /var/run/postgresql
chown -R postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "\${POSTGRES_PASSWORD:-postgres}" > /tmp/pwfile
  chown postgres /tmp/pwfile
  su postgres -s /bin/sh -c "initdb -D '$PGDATA' -U \${POSTGRES_USER:-postgres} --pwfile=/tmp/pwfile --auth-local=trust --auth-host=scram-sha-256 --locale=C --encoding=UTF8 >/dev/null"
  rm -f /tmp/pwfile
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ -n "$POSTGRES_DB" ] && [ "$POSTGRES_DB" != "\${POSTGRES_USER:-postgres}" ]; then
    su postgres -s /bin/sh -c "postgres --single -D '$PGDATA' -c jit=off postgres" <<SQL >/dev/null
CREATE DATABASE "$POSTGRES_DB" OWNER "\${POSTGRES_USER:-postgres}";
SQL
  fi
fi
exec su postgres -s /bin/sh -c "exec postgres -D '$PGDATA' -c listen_addresses='*' -c jit=off -c timezone=UTC"
`;
