import type { Release } from "../store/releases.js";
import { startedGroup } from "./deploy-steps.js";
import { pruneReleases } from "./prune.js";
import { keyOf, type Run } from "./run.js";
import type { Active } from "./serving.js";

export interface LiveOptions {
  /** What the release it replaces becomes: `superseded` by a deploy, `rolled-back` by a rollback. */
  previousStatus: "superseded" | "rolled-back";
  /** Why, for a rollback: written on the release it takes out. */
  reason?: string;
  /**
   * Given, everything after the switch (drain, prune, the `finished` step) is handed to it instead of
   * awaited, and the steps go to the ledger only: a rollback answers once the traffic has moved.
   */
  inBackground?: (rest: Promise<void>) => void;
}

/**
 * Sends every new request of the run's deployment to the processes the run started, in one
 * synchronous assignment; returns what served before (still draining). Recovery uses it alone.
 */
export function switchIn(run: Run): Active | undefined {
  const { release } = run;
  return run.parts.serving.switchTo(keyOf(run), release.config.hosts, release.id, startedGroup(run));
}

/**
 * The end of every operation that got this far: switched (and recorded live in the ledger, in one
 * transaction), drained (the previous release's in-flight requests finish, then it stays warm),
 * old release files pruned, finished. With `inBackground`, it returns right after the switch.
 */
export async function goLive(run: Run, options: LiveOptions): Promise<Release> {
  const { store } = run.parts;
  const { app, id, config } = run.release;
  const switchStarted = Date.now();
  const previous = switchIn(run);
  store.releases.goLive(app, id, options.previousStatus, Date.now(), options.reason);
  run.steps.record(
    "switched",
    true,
    Date.now() - switchStarted,
    previous ? `from ${previous.release}` : "first release",
  );
  run.parts.outcome({ type: "live", release: store.releases.get(app, id)!, previous: previous?.release });
  const rest = async () => {
    if (previous) await drain(run, previous);
    await pruneReleases(run.parts, app, config.keepReleases);
    run.steps.record("finished", true, run.steps.elapsed());
  };
  if (options.inBackground) {
    run.steps.detach();
    options.inBackground(
      rest().catch((error) => run.parts.logger.error({ app, release: id, err: error }, "after the switch")),
    );
  } else {
    await rest();
  }
  return store.releases.get(app, id)!;
}

/** In-flight requests to the replaced release finish (up to drain_timeout); it then stays warm. */
async function drain(run: Run, previous: Active): Promise<void> {
  const { config } = run.release;
  const started = Date.now();
  const left = await run.parts.serving.retire(
    keyOf(run),
    previous,
    config.drainTimeoutMs,
    config.rollbackWindowMs,
  );
  const warm =
    config.rollbackWindowMs > 0 ? `, kept warm ${Math.round(config.rollbackWindowMs / 1000)}s` : "";
  const message =
    left > 0
      ? `${left} requests cut off after ${config.drainTimeoutMs}ms`
      : "all in-flight requests finished";
  run.steps.record("drained", left === 0, Date.now() - started, `${previous.release}: ${message}${warm}`);
}
