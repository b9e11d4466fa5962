import { assertCommit, branchTip, mirrorGraph } from "../deployer/mirror.js";
import { previewEnvironment } from "../environments/names.js";
import type { Store } from "../store/store.js";
import type { WebhookAction } from "../webhooks/handler.js";
import { decidePushDeploy, type PushDecision } from "../webhooks/push-order.js";

/** A push that brings a commit to deploy (not a deleted branch). */
export type PushAction = Exclude<WebhookAction, { kind: "remove-preview" }>;

/** The deployment a push goes to: its environment, or its branch's preview. */
export function pushEnvironment(action: PushAction): string {
  return action.kind === "deploy" ? action.environment : previewEnvironment(action.preview.slug);
}

/**
 * What a push deploys, once the mirror is fetched: the facts from git and the ledger, the decision
 * from src/webhooks/push-order.ts. `queued` is the commit of the push waiting behind this one, if any.
 * Throws when the pushed commit is not in the repository at all.
 */
export async function pushTarget(
  store: Store,
  mirror: string,
  action: PushAction,
  queued: string | undefined,
): Promise<PushDecision> {
  await assertCommit(mirror, action.sha);
  const env = pushEnvironment(action);
  const history = store.releases.list(action.app).filter((r) => r.env === env);
  const pending = history.filter((r) => r.status === "deploying").map((r) => r.commit?.sha);
  const rolledBack = new Map<string, string>();
  for (const release of history) {
    if (release.status === "rolled-back" && release.commit) rolledBack.set(release.commit.sha, release.id);
  }
  const branch = action.push.branch!;
  return decidePushDeploy(
    {
      branch,
      pushed: action.sha,
      tip: await branchTip(mirror, branch),
      live: store.releases.live(action.app, env)?.commit?.sha,
      pending: [...pending, queued].filter((sha): sha is string => sha !== undefined),
      rolledBack,
    },
    mirrorGraph(mirror),
  );
}

/** A push that deploys nothing, and why, for the app's events and the agent's log. */
export function skippedEvent(action: PushAction, reason: string) {
  return {
    app: action.app,
    kind: "push",
    name: "skipped",
    at: Date.now(),
    message: `push of ${action.sha.slice(0, 12)} to ${action.push.branch} deploys nothing: ${reason}`,
  };
}
