import { deploymentKey } from "../environments/names.js";
import { errorMessage, OperationError } from "../errors.js";
import type { Release } from "../store/releases.js";
import { goLive, type LiveOptions } from "./go-live.js";
import { keyOf, type Run, type Step } from "./run.js";

/**
 * Runs an operation's steps in order, then switches it live. On failure it stops what the steps
 * started (unless it went live), marks the release failed with the reason, tells the listeners, and
 * rethrows with what still serves, so nothing a failed operation did is left for its visitors to see.
 */
export async function operate(run: Run, steps: readonly Step[], live: LiveOptions): Promise<Release> {
  const { store } = run.parts;
  const { app, id } = run.release;
  try {
    await runSteps(run, steps);
    return await goLive(run, live);
  } catch (error) {
    await stopStarted(run);
    const reason = errorMessage(error);
    store.releases.fail(app, id, reason, Date.now());
    run.steps.record("failed", false, run.steps.elapsed(), reason);
    run.parts.outcome({ type: "failed", release: store.releases.get(app, id)!, reason });
    throw withServingHint(run, error);
  }
}

/** The steps in order; a client that went away (or an agent stopping) ends the run between two steps. */
export async function runSteps(run: Run, steps: readonly Step[]): Promise<void> {
  for (const step of steps) {
    cancelled(run.signal);
    await step(run);
  }
  cancelled(run.signal);
}

/** Stops the processes the run started, unless they serve (a failure after the switch keeps them). */
export async function stopStarted(run: Run): Promise<void> {
  const { group } = run;
  if (group && run.parts.serving.live(keyOf(run))?.group !== group) await run.parts.runtime.retire(group);
}

function cancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new OperationError("cancelled by the client");
}

/** Adds what is still serving to the error, so the user knows nothing broke for their visitors. */
export function withServingHint(run: Run, error: unknown): unknown {
  if (!(error instanceof OperationError) || error.hint) return error;
  const { app, env } = run.release;
  const live = run.parts.store.releases.live(app, env);
  const where = deploymentKey(app, env);
  const hint = live ? `${live.id} is still live and serving ${where}` : `${where} has no live release`;
  return new OperationError(error.message, { hint, details: error.details });
}
