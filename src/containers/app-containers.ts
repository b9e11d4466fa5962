import { mkdirSync } from "node:fs";
import type Docker from "dockerode";
import type { Logger } from "pino";
import type { AppConfig } from "../config/schema.js";
import { OperationError } from "../errors.js";
import type { InstanceFactory } from "../runtime/instance-factory.js";
import type { ReleaseEnvironment } from "../runtime/process-env.js";
import { accessoryNetworkName } from "./accessory-spec.js";
import { containerInstances, storageMounts } from "./container-instances.js";
import { engineErrorMessage, engineStatus } from "./engine.js";
import { containerPort, resolveImage } from "./image.js";
import { accessoryLabels } from "./labels.js";
import { ensureNetwork } from "./network.js";
import { applyReconcilePlan, listSkiffContainers, reconcilePlan } from "./reconcile.js";

/** The engine container apps run on, and this agent's id there (labels: two agents never mix). */
export interface ContainerEngine {
  docker: Docker;
  agent: string;
}

/** How long a container left behind by a crashed agent gets to exit on SIGTERM. */
const LEFT_BEHIND_STOP_TIMEOUT_MS = 5_000;

/**
 * At agent start, before anything is launched: this agent's app containers that an earlier agent left
 * (recorded as running, or never recorded because it died between create and ledger) are stopped and
 * removed, exactly as its host processes are; the deployer's recovery then starts the live release
 * afresh from its pinned image, so no container runs twice. Accessories are left running. An engine that
 * does not answer is logged and skipped: the host processes still get reconciled.
 */
export async function reconcileAtStart(
  engine: ContainerEngine,
  recordedRunning: ReadonlySet<string>,
  logger: Logger,
): Promise<number> {
  const status = await engineStatus(engine.docker);
  if (!status.ok) {
    logger.info({ reason: status.reason }, "no Docker engine answers: no containers to reconcile");
    return 0;
  }
  const plan = reconcilePlan(await listSkiffContainers(engine.docker, engine.agent), recordedRunning);
  const removed = await applyReconcilePlan(engine.docker, plan, LEFT_BEHIND_STOP_TIMEOUT_MS);
  for (const c of [...plan.leftBehind, ...plan.orphans]) {
    logger.info(
      { container: c.id.slice(0, 12), app: c.app, release: c.release, instance: c.instance },
      "removed a container left behind by an earlier agent",
    );
  }
  return removed;
}

/** What a container app's release needs to run: its image, port, environment, storage and network. */
export async function containerFactory(
  engine: ContainerEngine,
  spec: { app: string; env: string; artifact: string; config: AppConfig },
  imageId: string,
  release: ReleaseEnvironment,
): Promise<InstanceFactory> {
  const { app, env, artifact, config } = spec;
  const container = config.container!;
  const image = await resolveImage(engine.docker, imageId);
  if (!image) {
    throw new OperationError(
      `the image of ${artifact} (${imageId.slice(0, 19)}) is gone from the engine; deploy it again`,
    );
  }
  const mounts = storageMounts(release.storageDir, config.storage, image.workingDir);
  for (const mount of mounts) mkdirSync(mount.source, { recursive: true, mode: 0o700 });
  const owner = { agent: engine.agent, app, env };
  let network: string | undefined;
  if (Object.keys(config.accessories ?? {}).length > 0) {
    network = accessoryNetworkName(owner);
    await ensureNetwork(engine.docker, network, accessoryLabels({ ...owner, accessory: "" })).catch(
      (error: unknown) => {
        throw new OperationError(`the app's network ${network}: ${engineErrorMessage(error)}`);
      },
    );
  }
  return containerInstances({
    docker: engine.docker,
    agent: engine.agent,
    app,
    artifact,
    image: image.id,
    containerPort: containerPort(container.port, image),
    env: { ...release.vars, SKIFF_ENV: env },
    mounts,
    limits: container.limits,
    network,
  });
}
