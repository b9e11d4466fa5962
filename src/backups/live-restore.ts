import type { Serving } from "../deployer/serving.js";
import { deploymentKey } from "../environments/names.js";
import { OperationError } from "../errors.js";
import type { Runtime } from "../runtime/runtime.js";
import type { Store } from "../store/store.js";

/**
 * What a restore into a running app needs from the rest of the agent: take the app's processes down
 * while its database is replaced, and bring them back through the health gate after. The restore holds
 * the app's lease meanwhile, so no deploy or rollback runs during it.
 *
 * Every process type of the live release is stopped (web, workers), and all come back from the same
 * release, each through its gate. A proxy maintenance answer (503 with Retry-After) in place of the
 * plain "no healthy instance" 503 would be kinder to visitors, and belongs in src/proxy/.
 */
export interface LiveRestoreHook {
  /** Stops what uses the database; resolves to the function that brings it back (and throws if it cannot). */
  pause(app: string, env: string): Promise<() => Promise<void>>;
}

/** Pauses nothing: for a restore into an environment that has no running release, and for tests. */
export const NO_PROCESSES: LiveRestoreHook = { pause: async () => async () => undefined };

/**
 * The hook over the runtime and serving: the live release's processes of every type are stopped (the
 * proxy answers 503 meanwhile), then launched again from the same release, gated, and switched in.
 */
export function runtimeRestoreHook(serving: Serving, runtime: Runtime, store: Store): LiveRestoreHook {
  return {
    async pause(app, env) {
      const key = deploymentKey(app, env);
      const active = serving.live(key);
      const release = store.releases.live(app, env);
      if (!active || !release) return async () => undefined;
      await runtime.retire(active.group);
      return async () => {
        const spec = { app, env, artifact: active.group.artifact, config: release.config };
        // The restored files were written by the agent: an isolated app's user gets them back first.
        await runtime.prepare(spec);
        const group = await runtime.launch(spec);
        const gate = await group.gate(new AbortController().signal);
        if (!gate.ok) {
          await runtime.retire(group);
          throw new OperationError(
            `the database is restored, but ${release.id} did not come back healthy: ${gate.reason}`,
            {
              hint: `deploy again or roll back (skiff rollback --app ${app}); the safety backup has the data from before`,
            },
          );
        }
        const previous = serving.switchTo(key, release.config.hosts, release.id, group);
        await previous?.lb.drain(0);
      };
    },
  };
}
