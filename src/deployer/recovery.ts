import { errorMessage } from "../errors.js";
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
  await Promise.all(store.releases.allLive().map((release) => bringBack(parts, release, signal)));
}

/**
 * A live release after a restart: routed at once (503 until it is back), then the same cold start,
 * gate and switch as a rollback to a release that is not warm. It is not a new deploy, so its steps
 * stay out of the release's history: one agent event says whether it came back.
 */
async function bringBack(parts: DeployerParts, release: Release, signal: AbortSignal): Promise<void> {
  const run = newRun(parts, release, new UnrecordedSteps(), signal);
  parts.serving.route(keyOf(run), release.config.hosts);
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
