import type { Logger } from "pino";
import type { AppConfig } from "../config/schema.js";
import type { Deployer } from "../deployer/deployer.js";
import type { CheckResult, DeployInput } from "../deployer/inputs.js";
import { archiveCommit, fetchMirror } from "../deployer/mirror.js";
import type { OperationEvent } from "../deployer/steps.js";
import { isPreview, isProduction, previewEnvironment, previewSlugOf } from "../environments/names.js";
import { previewFor } from "../environments/preview.js";
import { previewsToRemove } from "../environments/preview-retention.js";
import { configForEnvironment } from "../environments/resolve.js";
import { errorMessage } from "../errors.js";
import type { CommitInfo } from "../git/repo.js";
import type { DataDir } from "../store/data-dir.js";
import type { Store } from "../store/store.js";
import { planRelease } from "../versions/plan.js";
import { queueKeyOf, type WebhookAction } from "../webhooks/handler.js";
import { CoalescingQueue, type PushOutcome } from "../webhooks/queue.js";
import { type AdmissionOptions, admitDeploy, type DeployDetails, type DeployTarget } from "./admission.js";
import { type PushAction, pushTarget, skippedEvent } from "./push-target.js";

const SWEEP_EVERY_MS = 60_000;

export interface PushDeploysOptions {
  store: Store;
  dataDir: DataDir;
  deployer: Deployer;
  logger: Logger;
  /** The checks every deploy passes (src/agent/admission.ts): a push that fails one deploys nothing. */
  admission: AdmissionOptions;
}

/**
 * What a push does, in the background: fetch the commit into the app's mirror, then deploy it to its
 * environment, deploy a branch preview, or remove one. One job per environment or preview at a time;
 * pushes that arrive meanwhile coalesce to the newest. Previews past their ttl or cap are removed.
 */
export class PushDeploys {
  private readonly queue: CoalescingQueue<WebhookAction>;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();

  constructor(private readonly options: PushDeploysOptions) {
    this.queue = new CoalescingQueue((_key, action) => this.run(action), {
      onError: (key, action, error) => this.failed(key, action, error),
      onSuperseded: (key, dropped, newer) =>
        options.logger.info(
          { key, dropped: shaOf(dropped), newer: shaOf(newer) },
          "a newer push replaced a pending one",
        ),
    });
  }

  /** A push job that failed: in the ledger (the app's events) and the agent's log. */
  private failed(key: string, action: WebhookAction, error: unknown): void {
    const message = `push of ${shaOf(action)?.slice(0, 12) ?? action.kind} (${key}) failed: ${errorMessage(error)}`;
    this.options.store.events.add({
      app: action.app,
      kind: "push",
      name: "failed",
      ok: false,
      at: Date.now(),
      message,
    });
    this.options.logger.error({ key, sha: shaOf(action) }, message);
  }

  start(): void {
    this.sweeper = setInterval(() => void this.sweepPreviews(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  /** Cancels running push deploys (before their switch) and drops pending ones. */
  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    this.stopping.abort();
    await this.queue.close();
  }

  dispatch(action: WebhookAction): PushOutcome {
    return this.queue.push(queueKeyOf(action), action);
  }

  /** Resolves when no push job runs or waits. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Removes previews past `previews.ttl` (and beyond `previews.max`), for every app that has any. */
  async sweepPreviews(): Promise<void> {
    const { store } = this.options;
    const apps = new Set(
      store.releases
        .allLive()
        .filter((r) => isPreview(r.env))
        .map((r) => r.app),
    );
    for (const app of apps) {
      const config = store.apps.config(app);
      if (config) await this.trimPreviews(config);
    }
  }

  private async run(action: WebhookAction): Promise<void> {
    const { store, deployer, logger } = this.options;
    const config = store.apps.config(action.app);
    if (!config) throw new Error(`${action.app} is not registered`);
    if (action.kind === "remove-preview") {
      await deployer.remove(
        action.app,
        previewEnvironment(action.slug),
        `branch ${action.branch} was deleted`,
      );
      return;
    }
    const input = await this.prepared(action, config);
    if (!input) return;
    const log = (event: OperationEvent) =>
      logger.info({ app: action.app, env: input.env, sha: action.sha, ...event }, "webhook deploy");
    const release = await deployer.deploy(input, log, this.stopping.signal);
    logger.info(
      { app: action.app, env: input.env, release: release.id, version: release.version },
      `${release.id} is live from a push`,
    );
  }

  /**
   * The deploy a push asks for, once its commit is fetched and checked; undefined when there is none
   * to do. A failure here (unreachable repo, unknown SHA, bad skiff.yml) is recorded as a failed release
   * of the environment, alerted and counted, so it shows in `skiff releases` like any failed deploy.
   */
  private async prepared(action: PushAction, config: AppConfig): Promise<DeployInput | undefined> {
    try {
      return await this.prepare(action, config);
    } catch (error) {
      if (action.kind === "deploy") {
        const pushed = action.push.commits.find((c) => c.sha === action.sha);
        this.options.deployer.recordFailure({
          app: action.app,
          env: action.environment,
          // As that environment runs it: its alerts: may differ from production's.
          config: configForEnvironment(config, action.environment),
          commit: {
            sha: action.sha,
            message: pushed?.message ?? "",
            author: pushed?.author ?? "",
            time: (pushed && Date.parse(pushed.timestamp)) || 0, // 0: unknown, shown as null
          },
          deployedBy: action.push.pusher,
          trigger: "webhook",
          reason: errorMessage(error),
        });
      }
      throw error;
    }
  }

  private async prepare(action: PushAction, config: AppConfig): Promise<DeployInput | undefined> {
    const { logger } = this.options;
    if (!config.repo)
      throw new Error(`${action.app} has no repo: in skiff.yml, so the agent cannot fetch ${action.sha}`);
    const mirror = this.options.dataDir.path("repos", `${action.app}.git`);
    await fetchMirror(mirror, config.repo);
    // Webhooks come out of order, again, or replayed: the branch's tip decides (push-order.ts).
    const decision = await pushTarget(this.options.store, mirror, action, this.queuedSha(action));
    if (!decision.deploy) return this.skipped(action, decision.reason);
    if (decision.note) logger.info({ app: action.app, sha: action.sha }, decision.note);
    const { tarball, commit } = await archiveCommit(mirror, decision.sha);
    const input = await admitDeploy(this.options.admission, {
      app: action.app,
      tarball,
      target: (pushed) => this.target(action, pushed),
      details: (target, pushed) => this.details(action, mirror, commit, target, pushed),
    });
    if (!input)
      logger.info(
        { app: action.app, branch: action.push.branch },
        "previews are off in the pushed skiff.yml; nothing deployed",
      );
    return input;
  }

  /** The rest of a push's deploy, once admitted: previews trimmed to make room, the version planned. */
  private async details(
    action: PushAction,
    mirror: string,
    commit: CommitInfo,
    target: DeployTarget,
    pushed: AppConfig,
  ): Promise<DeployDetails> {
    const slug = previewSlugOf(target.env);
    if (slug !== undefined) await this.trimPreviews(pushed, slug);
    const lastDeployed = this.options.store.releases.lastVersion(action.app);
    const version = isProduction(target.env)
      ? (await planRelease(mirror, { ref: commit.sha, lastDeployed })).version
      : null;
    return {
      commit: {
        sha: commit.sha,
        message: commit.message,
        author: commit.author,
        time: Date.parse(commit.committedAt),
      },
      deployedBy: action.push.pusher,
      trigger: "webhook",
      version,
      wait: true,
      check: preflightCheck,
    };
  }

  private skipped(action: PushAction, reason: string): undefined {
    const event = skippedEvent(action, reason);
    this.options.store.events.add(event);
    this.options.logger.info({ app: action.app, sha: action.sha }, event.message);
    return undefined;
  }

  /** The commit of the push waiting behind `action` for the same deployment, if any. */
  private queuedSha(action: PushAction): string | undefined {
    const next = this.queue.pendingJob(queueKeyOf(action));
    return next && "sha" in next ? next.sha : undefined;
  }

  /** Where the pushed commit goes, by its own skiff.yml: an environment, or the branch's preview. */
  private target(action: PushAction, config: AppConfig): DeployTarget | undefined {
    if (action.kind === "deploy")
      return { env: action.environment, config: configForEnvironment(config, action.environment) };
    const preview = previewFor(config, action.preview.branch);
    return preview && { env: previewEnvironment(preview.slug), config: preview.config };
  }

  private async trimPreviews(config: AppConfig, incoming?: string): Promise<void> {
    const live = this.options.store.releases.allLive().flatMap((r) => {
      const slug = r.app === config.app ? previewSlugOf(r.env) : undefined;
      return slug === undefined ? [] : [{ slug, deployedAt: r.liveAt ?? r.createdAt }];
    });
    const doomed = previewsToRemove(
      live,
      { max: config.previews.max, ttlMs: config.previews.ttlMs },
      Date.now(),
      incoming,
    );
    for (const slug of doomed) {
      await this.options.deployer.remove(
        config.app,
        previewEnvironment(slug),
        incoming ? "over the preview cap" : "past its ttl",
      );
    }
  }
}

function shaOf(action: WebhookAction): string | undefined {
  return "sha" in action ? action.sha : undefined;
}

/**
 * The preflight of a push deploy, on the unpacked commit: debug leftovers and leaked secrets, by the
 * rules of the pushed skiff.yml. (Lint and tests are CI's job; env files belong to the server.)
 */
async function preflightCheck(dir: string, config: AppConfig): Promise<CheckResult> {
  const { runPreflight } = await import("../preflight/index.js");
  const report = await runPreflight(dir, { only: ["debug", "secrets"], config });
  const errors = report.findings.filter((f) => f.severity === "error");
  const { filesScanned } = report.summary;
  return {
    ok: !report.blocking,
    message: report.blocking
      ? `preflight found ${errors.length} blocking problem${errors.length === 1 ? "" : "s"} in ${filesScanned} files`
      : `preflight: ${filesScanned} files, nothing blocking`,
    details: errors.slice(0, 20).map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}: ${f.message}`),
  };
}
