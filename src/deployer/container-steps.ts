import type { AccessoryConfig } from "../config/accessories.js";
import { Accessories } from "../containers/accessories.js";
import { accessoryNetworkName } from "../containers/accessory-spec.js";
import type { ContainerEngine } from "../containers/app-containers.js";
import { buildImage, releaseTag } from "../containers/build.js";
import { storageMounts } from "../containers/container-instances.js";
import { engineErrorMessage } from "../containers/engine.js";
import { resolveImage } from "../containers/image.js";
import { parseImageRef } from "../containers/image-ref.js";
import { containerName, LABEL } from "../containers/labels.js";
import { runOneOff } from "../containers/one-off.js";
import { imagesToRemove, type ReleaseImage, removeImages } from "../containers/prune-images.js";
import { pullImage } from "../containers/pull.js";
import { registryAuth } from "../containers/registry-auth.js";
import { OperationError } from "../errors.js";
import type { OneShotResult } from "../runtime/one-shot.js";
import type { SecretLookup } from "../secrets/secret-store.js";
import type { Release } from "../store/releases.js";
import type { DeployerParts, Run } from "./run.js";

/** What the deployer needs of the engine: the engine, this agent's id on it, and the agent's secrets. */
export interface DeployContainers extends ContainerEngine {
  secrets: SecretLookup;
}

function engineOf(run: Run): DeployContainers {
  const { containers } = run.parts;
  if (!containers) {
    throw new OperationError(
      "this app needs the Docker engine (image:, dockerfile: or accessories:) and the agent has none: install docker.io and start dockerd",
    );
  }
  return containers;
}

/**
 * A container release's image, pinned by id into the ledger: `deploy --image REF` or `image:` pulled
 * (with `registry:` credentials from the agent's secrets), or `dockerfile:` built from the uploaded source
 * (tagged skiff-<agent>/<app>:<release>, labelled as this agent's, its output in the release log).
 */
export async function pinImage(run: Run, reference: string | undefined): Promise<string> {
  const { docker, agent, secrets } = engineOf(run);
  const { app, id, config } = run.release;
  const container = config.container!;
  const log = run.parts.runtime.log(app, run.release.artifact);
  const pull = reference ?? (container.source.kind === "image" ? container.source.ref : undefined);
  try {
    let image: Awaited<ReturnType<typeof pullImage>>;
    let how: string;
    if (pull !== undefined) {
      const ref = parseImageRef(pull);
      if ("error" in ref) throw new OperationError(`--image ${pull}: ${ref.error}`);
      image = await pullImage(docker, ref, { auth: registryAuth(ref, container.registry, secrets), log });
      how = `pulled ${pull}`;
    } else {
      const source = container.source as Extract<typeof container.source, { kind: "dockerfile" }>;
      image = await buildImage(docker, {
        contextDir: run.parts.dataDir.releaseDir(app, run.release.artifact),
        dockerfile: source.path,
        buildArgs: source.buildArgs,
        tag: releaseTag(agent, app, id),
        labels: { [LABEL.agent]: agent, [LABEL.app]: app, [LABEL.release]: id },
        log,
      });
      how = `built ${source.path}`;
    }
    const pinned = { id: image.id, repoDigest: image.repoDigest ?? null };
    run.parts.store.releases.setImage(app, id, pinned);
    run.release.image = pinned;
    return `${how}: ${image.id.slice(0, 19)}${image.repoDigest ? ` (${image.repoDigest})` : ""}`;
  } catch (error) {
    if (error instanceof OperationError) throw error;
    throw new OperationError(
      `the image could not be ${pull ? `pulled (${pull})` : "built"}: ${engineErrorMessage(error)}`,
    );
  }
}

/** The accessories of the run's deployment (one app in one environment). */
function accessoriesOf(run: Run): Accessories {
  const { docker, agent, secrets } = engineOf(run);
  const { app, env } = run.release;
  return new Accessories({
    docker,
    agent,
    app,
    env,
    storageDir: run.parts.dataDir.storageDir(app, env),
    secrets,
  });
}

/**
 * Before the release command and the start: every accessory that has no running container is started
 * (and waited for until healthy); a running one is left as it is, even if its config changed (the log
 * says to run `skiff accessory start NAME`): a deploy never restarts the database. Returns the
 * variables the app gets from them (`app_env`), addressed for a container or a host-process app, kept
 * on the run so the release command and the instances get the same.
 */
export async function accessoryEnv(run: Run): Promise<Record<string, string>> {
  if (run.extraEnv) return run.extraEnv;
  const configs: Record<string, AccessoryConfig> = run.release.config.accessories ?? {};
  const names = Object.keys(configs);
  if (names.length === 0) {
    run.extraEnv = {};
    return run.extraEnv;
  }
  const accessories = accessoriesOf(run);
  const { app, artifact, config } = run.release;
  const log = run.parts.runtime.log(app, artifact);
  for (const name of names) {
    const status = await accessories.status(name);
    if (status.state === "running") continue;
    log.note(`accessory ${name} is ${status.state}: starting it`);
    await accessories.start(name, configs[name]!, log);
    await accessories.waitHealthy(name, config.healthcheck.deployTimeoutMs);
  }
  run.extraEnv = await accessories.appEnv(configs, config.container ? "container" : "host");
  return run.extraEnv;
}

/**
 * skiff.yml's `release:` in a one-off container of the new image: the release's environment (env:,
 * secrets, accessories' app_env) as the container's, its storage mounted, on the app's network; removed
 * after. Labelled as this agent's (no instance), so one a crash left behind is removed at the next start.
 */
export async function releaseInContainer(
  run: Run,
  command: string,
  timeoutMs: number,
): Promise<OneShotResult> {
  const { docker, agent } = engineOf(run);
  const { app, env, id, artifact, config } = run.release;
  const imageId = run.release.image?.id;
  if (!imageId) throw new OperationError(`${id} has no image to run the release command in`);
  const image = await resolveImage(docker, imageId);
  if (!image) throw new OperationError(`the image of ${id} is gone from the engine; deploy again`);
  const release = run.parts.runtime.environment({ ...run.release, extraEnv: await accessoryEnv(run) });
  const hasAccessories = Object.keys(config.accessories ?? {}).length > 0;
  const result = await runOneOff(
    docker,
    {
      name: containerName(app, id, "release", String(Date.now())),
      image: imageId,
      labels: {
        [LABEL.agent]: agent,
        [LABEL.app]: app,
        [LABEL.release]: artifact,
        [LABEL.process]: "release",
      },
      env: {
        ...release.vars,
        SKIFF_APP: app,
        SKIFF_ENV: env,
        SKIFF_RELEASE: artifact,
        SKIFF_PROCESS: "release",
      },
      command,
      mounts: storageMounts(release.storageDir, config.storage, image.workingDir),
      limits: config.container?.limits ?? {},
      ...(hasAccessories
        ? { network: { name: accessoryNetworkName({ agent, app, env }), aliases: [] } }
        : {}),
    },
    { log: run.parts.runtime.log(app, artifact), timeoutMs, stopTimeoutMs: 10_000 },
  );
  return result.timedOut
    ? { ok: false, code: null, signal: null, timedOut: true }
    : { ok: result.code === 0, code: result.code, signal: null, timedOut: false };
}

/**
 * After release files are pruned: the images only pruned releases used are removed (never one a kept
 * release needs, nor by force: one a container still uses is refused by the engine and logged).
 */
export async function pruneImages(
  parts: DeployerParts,
  app: string,
  pruned: Release[],
  kept: Release[],
): Promise<void> {
  if (!parts.containers) return;
  const images = (releases: Release[]): ReleaseImage[] =>
    releases.flatMap((r) => (r.image ? [{ release: r.id, image: r.image.id }] : []));
  const unneeded = imagesToRemove(images(pruned), images(kept));
  if (unneeded.length === 0) return;
  try {
    // Only what the engine still has: one listing instead of a removal per release ever pruned.
    const present = new Set((await parts.containers.docker.listImages()).map((i) => i.Id));
    const doomed = unneeded.filter((id) => present.has(id));
    if (doomed.length === 0) return;
    const report = await removeImages(parts.containers.docker, doomed);
    for (const refused of report.refused) {
      parts.logger.warn({ app, image: refused.image, reason: refused.reason }, "an unneeded image was kept");
    }
    if (report.removed.length > 0) {
      parts.store.events.add({
        app,
        release: null,
        kind: "release",
        name: "images-pruned",
        at: Date.now(),
        message: `removed ${report.removed.length} image${report.removed.length === 1 ? "" : "s"} no kept release needs`,
      });
    }
  } catch (error) {
    parts.logger.error({ app, err: error }, "removing unneeded images");
  }
}
