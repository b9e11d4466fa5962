import { deploymentKey } from "../environments/names.js";
import { errorMessage } from "../errors.js";
import { probe } from "../runtime/health-check.js";
import type { InstanceGroup } from "../runtime/instance-group.js";
import type { Release } from "../store/releases.js";
import { healthy, started } from "./deploy-steps.js";
import { switchIn } from "./go-live.js";
import { runSteps, stopStarted } from "./operate.js";
import { type DeployerParts, keyOf, newRun } from "./run.js";
import { UnrecordedSteps } from "./steps.js";

/**
 * After an agent start (the ledger, not memory, is the truth): deploys the previous agent left
 * unfinished are marked failed, and every live release is brought back.
 */
export async function recover(parts: DeployerParts, signal: AbortSignal): Promise<void> {
  const { store } = parts;
  for (const release of store.releases.unfinished()) {
    store.releases.fail(release.app, release.id, "the agent stopped during this deploy", Date.now());
  }
  const live = store.releases.allLive();
  await Promise.all(live.map((release) => bringBack(parts, release, signal)));
  for (const release of live) keepWarmOne(parts, release);
  await parts.runtime.stopUnclaimed();
}

/**
 * The release a live one replaced, when its processes are still running and healthy: warm again, for
 * a fresh rollback window (when the last one started is not in the ledger). Not answering: stopped.
 */
function keepWarmOne(parts: DeployerParts, live: Release): void {
  const previous = parts.store.releases
    .list(live.app, 50)
    .find(
      (r) =>
        r.env === live.env &&
        r.seq < live.seq &&
        r.artifact !== live.artifact &&
        (r.status === "superseded" || r.status === "rolled-back"),
    );
  if (!previous || previous.config.rollbackWindowMs <= 0) return;
  const group = parts.runtime.claim(previous);
  if (!group) return;
  // Ready or not, it is kept only for a rollback, which health-checks nothing warm: check it now.
  void allHealthy(group).then((ok) => {
    if (ok)
      parts.serving.keepWarm(deploymentKey(live.app, live.env), group, previous.config.rollbackWindowMs);
    else void parts.runtime.retire(group);
  });
}

/**
 * Which releases a starting agent keeps the running processes of, for recovery to adopt (live) or keep
 * warm (the release a live one replaced): all, except files two live deployments (a promote) run, whose
 * processes could not be told apart. What recovery does not claim is stopped.
 */
export function adoptable(parts: Pick<DeployerParts, "store">): (app: string, artifact: string) => boolean {
  const live = parts.store.releases.allLive().map((r) => `${r.app}/${r.artifact}`);
  return (app, artifact) => live.filter((key) => key === `${app}/${artifact}`).length <= 1;
}

/**
 * A live release after a restart. Its processes still running and healthy (a reload, a crash of the
 * agent alone) are adopted and switched in at once: nothing restarts. Otherwise: routed at once (the
 * proxy holds requests until the agent is ready), then the same cold start, gate and switch as a
 * rollback to a release that is not warm. It is not a new deploy, so its steps stay out of the
 * release's history: one agent event says whether it came back.
 */
async function bringBack(parts: DeployerParts, release: Release, signal: AbortSignal): Promise<void> {
  const run = newRun(parts, release, new UnrecordedSteps(), signal);
  parts.serving.route(keyOf(run), release.config.hosts);
  const adopted = parts.runtime.claim(release);
  if (adopted && (await allHealthy(adopted))) {
    run.group = adopted;
    switchIn(run);
    const pids = adopted.instances.map((i) => i.pid).join(", ");
    parts.logger.info(
      { app: release.app, env: release.env, release: release.id, pids },
      `${release.id} adopted: its processes kept running (pid ${pids})`,
    );
    return;
  }
  if (adopted) await parts.runtime.retire(adopted);
  const record = (name: string, ok: boolean, message: string) => {
    parts.store.events.add({
      app: release.app,
      release: release.id,
      kind: "agent",
      name,
      ok,
      at: Date.now(),
      message,
    });
    parts.logger[ok ? "info" : "error"]({ app: release.app, env: release.env, release: release.id }, message);
  };
  try {
    await runSteps(run, [started(), healthy]);
    switchIn(run);
    record("recovered", true, `${release.id} serves again after an agent restart (${run.steps.elapsed()}ms)`);
  } catch (error) {
    await stopStarted(run);
    record("recover-failed", false, `could not bring ${release.id} back: ${errorMessage(error)}`);
  }
}

/** One health check of each adopted instance: a process that runs but does not answer is restarted. */
async function allHealthy(group: InstanceGroup): Promise<boolean> {
  const { path, timeoutMs } = group.options.config.healthcheck;
  const results = await Promise.all(
    group.web.map((instance) =>
      instance.port === undefined ? { ok: false } : probe("127.0.0.1", instance.port, path, timeoutMs),
    ),
  );
  const ok = results.every((r) => r.ok);
  for (const instance of group.instances) instance.healthy = ok;
  return ok;
}
