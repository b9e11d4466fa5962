import { mkdirSync } from "node:fs";
import { connect } from "node:net";
import { Writable } from "node:stream";
import type Docker from "dockerode";
import type { AccessoryConfig } from "../config/accessories.js";
import { OperationError } from "../errors.js";
import type { LogFile } from "../runtime/log-file.js";
import { freePort } from "../runtime/ports.js";
import type { SecretLookup } from "../secrets/secret-store.js";
import {
  type AccessoryAddress,
  type AccessoryOwner,
  accessoryAddress,
  accessoryAppEnv,
  accessoryEnvironment,
  accessoryNetworkName,
  accessorySpec,
  accessoryVolumeDir,
} from "./accessory-spec.js";
import { createContainer, removeContainer, stopContainer } from "./container.js";
import { engineStatusCode } from "./engine.js";
import { resolveImage } from "./image.js";
import { parseImageRef } from "./image-ref.js";
import { accessoryLabels, LABEL, labelFilters } from "./labels.js";
import { ensureNetwork } from "./network.js";
import { pullImage } from "./pull.js";

export interface AccessoryStatus {
  name: string;
  state: "running" | "stopped" | "missing";
  /** The engine's health check result, when the accessory has a healthcheck. */
  health: "healthy" | "unhealthy" | "starting" | undefined;
  image: string | undefined;
  containerId: string | undefined;
  containerPort: number | undefined;
  /** Published on 127.0.0.1 for host-process apps and tools (pg_dump). */
  hostPort: number | undefined;
  startedAt: string | undefined;
}

export interface AccessoriesOptions extends AccessoryOwner {
  docker: Docker;
  /** DATA_DIR/storage/<app>/<env>: accessories keep their volumes under accessories/<name>/. */
  storageDir: string;
  secrets: SecretLookup;
}

/**
 * The accessories of one app and environment: long-running containers (a database, a cache) started,
 * stopped, shown and followed on their own, never redeployed with the app. They restart with the engine
 * (`unless-stopped`), keep their data in the app's storage, and are reached by name on the app's network
 * or on 127.0.0.1 at their host port.
 */
export class Accessories {
  private readonly owner: AccessoryOwner;

  constructor(private readonly options: AccessoriesOptions) {
    this.owner = { agent: options.agent, app: options.app, env: options.env };
  }

  get network(): string {
    return accessoryNetworkName(this.owner);
  }

  /**
   * Starts `name`: pulls its image if the engine lacks it, then restarts its container when the config is
   * unchanged, or recreates it (same storage, same host port unless `host_port` says otherwise) when not.
   */
  async start(name: string, config: AccessoryConfig, log?: LogFile): Promise<AccessoryStatus> {
    const { docker } = this.options;
    const image = await this.image(config.image, log);
    const containerPort = config.port ?? image.exposedPorts[0];
    if (containerPort === undefined) {
      throw new OperationError(`accessories.${name}.port: ${config.image} exposes no port; set port:`);
    }
    const existing = await this.find(name);
    const hostPort = config.hostPort ?? existing?.hostPort ?? (await freePort());
    const spec = accessorySpec({
      owner: this.owner,
      name,
      config,
      image: image.id,
      containerPort,
      hostPort,
      storageDir: this.options.storageDir,
      env: accessoryEnvironment(name, config, this.options.secrets),
    });
    for (const volume of config.volumes) {
      mkdirSync(accessoryVolumeDir(this.options.storageDir, name, volume.name), { recursive: true });
    }
    await ensureNetwork(docker, this.network, accessoryLabels({ ...this.owner, accessory: "" }));
    let container: Docker.Container;
    if (existing && existing.configHash === spec.labels[LABEL.configHash]) {
      container = docker.getContainer(existing.id);
      if (existing.running) return this.statusOf(name);
    } else {
      if (existing) {
        log?.note(
          `accessory ${name}: its config changed; recreating the container (its data stays in storage)`,
        );
        await this.removeContainer(existing.id, config.stopTimeoutMs);
      }
      container = await createContainer(docker, spec);
    }
    await container.start();
    log?.note(
      `accessory ${name} started: ${config.image} on 127.0.0.1:${hostPort} (${name}:${containerPort} on ${this.network})`,
    );
    return this.statusOf(name);
  }

  /** Stops it (SIGTERM, SIGKILL after its stop_timeout), keeping the container: `start` resumes it. */
  async stop(
    name: string,
    config: Pick<AccessoryConfig, "stopTimeoutMs">,
  ): Promise<"stopped" | "not running"> {
    const existing = await this.find(name);
    if (!existing?.running) return "not running";
    await stopContainer(this.options.docker.getContainer(existing.id), config.stopTimeoutMs);
    return "stopped";
  }

  /** Removes its container; its data in storage is never touched here. */
  async remove(name: string, config: Pick<AccessoryConfig, "stopTimeoutMs">): Promise<void> {
    const existing = await this.find(name);
    if (existing) await this.removeContainer(existing.id, config.stopTimeoutMs);
  }

  async status(name: string): Promise<AccessoryStatus> {
    return this.statusOf(name);
  }

  /**
   * Resolves when its health check passes (or, without one, when it accepts a TCP connection on its host
   * port); rejects after `timeoutMs`, or at once if it stopped, with the last lines of its log.
   */
  async waitHealthy(name: string, timeoutMs: number): Promise<AccessoryStatus> {
    const deadline = Date.now() + timeoutMs;
    let status = await this.statusOf(name);
    while (Date.now() < deadline) {
      status = await this.statusOf(name);
      if (status.state !== "running") break;
      if (status.health === "healthy") return status;
      if (status.health === undefined && status.hostPort !== undefined && (await accepts(status.hostPort)))
        return status;
      // The engine runs the check on its own interval; asking it more often than this learns nothing.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const tail = await this.logs(name, { tail: 10 }).catch(() => "");
    throw new OperationError(
      `accessory ${name} is not healthy (${status.state}${status.health ? `, ${status.health}` : ""})`,
      {
        details: tail.split("\n").filter(Boolean),
      },
    );
  }

  /** Its output as the engine kept it (the last `tail` lines), or followed into `follow` until aborted. */
  async logs(
    name: string,
    options: { tail?: number; follow?: Writable; signal?: AbortSignal } = {},
  ): Promise<string> {
    const existing = await this.find(name);
    if (!existing)
      throw new OperationError(
        `accessory ${name} has no container; start it with skiff accessory start ${name}`,
      );
    const container = this.options.docker.getContainer(existing.id);
    if (options.follow) {
      const stream = (await container.logs({
        follow: true,
        stdout: true,
        stderr: true,
        tail: options.tail ?? 100,
        abortSignal: options.signal,
      })) as NodeJS.ReadableStream;
      container.modem.demuxStream(stream, options.follow, options.follow);
      await new Promise<void>((resolve) => {
        stream.once("end", resolve);
        stream.once("close", resolve);
        stream.once("error", () => resolve());
      });
      return "";
    }
    const buffer = (await container.logs({
      follow: false,
      stdout: true,
      stderr: true,
      tail: options.tail ?? 100,
    })) as Buffer;
    let text = "";
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    demuxBuffer(buffer, sink);
    return text;
  }

  /**
   * The variables an app gets from its accessories' `app_env:` (DATABASE_URL…), for a container app (by name
   * on the network) or a host-process app (127.0.0.1 and the host port). Every accessory must have a container.
   */
  async appEnv(
    configs: Record<string, AccessoryConfig>,
    app: "container" | "host",
  ): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const [name, config] of Object.entries(configs)) {
      if (Object.keys(config.appEnv).length === 0) continue;
      const { containerPort, hostPort } = await this.statusOf(name);
      if (containerPort === undefined || hostPort === undefined) {
        throw new OperationError(
          `accessory ${name} is not started; start it with skiff accessory start ${name}`,
        );
      }
      const address: AccessoryAddress = accessoryAddress(name, { containerPort, hostPort }, app);
      Object.assign(
        env,
        accessoryAppEnv(config, address, accessoryEnvironment(name, config, this.options.secrets)),
      );
    }
    return env;
  }

  private async image(reference: string, log?: LogFile) {
    const { docker } = this.options;
    const local = await resolveImage(docker, reference);
    if (local) return local;
    const ref = parseImageRef(reference);
    if ("error" in ref) throw new OperationError(`${reference}: ${ref.error}`);
    return pullImage(docker, ref, { log });
  }

  /** Its container, if it has one; the host port from the container's config (a stopped one lists none). */
  private async find(name: string) {
    const list = await this.options.docker.listContainers({
      all: true,
      filters: labelFilters(accessoryLabels({ ...this.owner, accessory: name })),
    });
    const summary = list[0];
    if (!summary) return undefined;
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.options.docker.getContainer(summary.Id).inspect();
    } catch (error) {
      if (engineStatusCode(error) === 404) return undefined;
      throw error;
    }
    const [binding] = Object.entries(info.HostConfig.PortBindings ?? {}) as Array<
      [string, Array<{ HostPort: string }>]
    >;
    const hostPort = binding?.[1]?.[0] ? Number(binding[1][0].HostPort) : undefined;
    return {
      id: info.Id,
      info,
      running: info.State.Running,
      configHash: info.Config.Labels?.[LABEL.configHash],
      containerPort: binding ? Number.parseInt(binding[0], 10) : undefined,
      hostPort,
    };
  }

  private async statusOf(name: string): Promise<AccessoryStatus> {
    const existing = await this.find(name);
    if (!existing) {
      return {
        name,
        state: "missing",
        health: undefined,
        image: undefined,
        containerId: undefined,
        containerPort: undefined,
        hostPort: undefined,
        startedAt: undefined,
      };
    }
    const { info } = existing;
    return {
      name,
      state: existing.running ? "running" : "stopped",
      health: info.State.Health?.Status as AccessoryStatus["health"],
      image: info.Config.Image,
      containerId: info.Id,
      containerPort: existing.containerPort,
      hostPort: existing.hostPort,
      startedAt: existing.running ? info.State.StartedAt : undefined,
    };
  }

  private async removeContainer(id: string, stopTimeoutMs: number): Promise<void> {
    const container = this.options.docker.getContainer(id);
    await stopContainer(container, stopTimeoutMs);
    await removeContainer(container);
  }
}

/** Splits a non-followed log buffer (8-byte frame headers when the container has no TTY) into `sink`. */
function demuxBuffer(buffer: Buffer, sink: Writable): void {
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    sink.write(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
