import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import type { Agent } from "../agent/agent.js";
import { inheritedFds } from "../agent/listen-fds.js";
import { reexec, replacing, reportReady } from "../agent/reexec.js";
import { SKIFF_BIN } from "../agent/spawn.js";
import { notifySystemd } from "../agent/systemd-notify.js";
import { SkiffError, UsageError } from "../errors.js";
import { type IsolationFlag, parseIsolationFlag } from "../isolation/policy.js";
import { systemdUnit } from "../isolation/systemd-unit.js";
import { type TlsFlags, tlsSettingsFromFlags } from "../tls/flags.js";
import { parseHostPort } from "./address.js";
import { durationOption, wholeNumber } from "./options.js";

/** How often a reload checks whether the operation it waits for is over. */
const RELOAD_POLL_MS = 200;
/** A new agent not ready by then is killed and the old one keeps serving (recovery may cold-start apps). */
const RELOAD_READY_TIMEOUT_MS = 120_000;

interface AgentFlags extends TlsFlags {
  listenFd?: number;
  apiFd?: number;
  tlsFd?: number;
  keepApps?: boolean;
  reloadGrace?: number;
  dataDir?: string;
  listen: string;
  api: string;
  tokenFile?: string;
  metricsTokenFile?: string;
  dockerSocket?: string;
  maxUpload?: string;
  headerTimeout: number;
  bodyTimeout: number;
  minBodyRate: number;
  sendTimeout: number;
  bodyBuffer: number;
  upstreamConnections: number;
  isolation: IsolationFlag;
  printSystemdUnit?: boolean;
  unitUser: string;
}

export function register(program: Command): void {
  const agent = program
    .command("agent")
    .description("run the agent: the proxy on the public port, the control API, and every app's processes")
    .option("--data-dir <dir>", "where the agent keeps its ledger, releases and logs (required)")
    .option("--listen <host:port>", "the public proxy address", "0.0.0.0:8080")
    .option("--api <host:port>", "the control API address", "127.0.0.1:7070")
    .option(
      "--token-file <file>",
      "read the API token from this file (default: DATA_DIR/token, created on first start)",
    )
    .option(
      "--metrics-token-file <file>",
      "a second token, allowed to read GET /metrics only, for Prometheus (or env SKIFF_METRICS_TOKEN)",
    )
    .option("--max-upload <MB>", "largest deploy upload accepted, in megabytes", "512")
    // Listening sockets opened by someone else: the agent being reloaded, or systemd (LISTEN_FDS).
    .option(
      "--listen-fd <n>",
      "serve the proxy on this inherited listening socket",
      wholeNumber("--listen-fd", 3),
    )
    .option("--api-fd <n>", "serve the API on this inherited listening socket", wholeNumber("--api-fd", 3))
    .option("--tls-fd <n>", "serve HTTPS on this inherited listening socket", wholeNumber("--tls-fd", 3))
    .option("--keep-apps", "on SIGTERM, leave the apps running for the next start to adopt (a restart)")
    .option(
      "--reload-grace <duration>",
      "after a reload, how long the old agent leaves a client's idle connection open (default: the keep-alive timeout, 65s)",
      durationOption("--reload-grace"),
    )
    .option(
      "--docker-socket <path>",
      "the Docker engine's socket, for container apps and accessories (default: DOCKER_HOST, else /var/run/docker.sock)",
    )
    .option(
      "--tls-listen <host:port>",
      "serve HTTPS here (0.0.0.0:443) with certificates over ACME; off by default",
    )
    .option("--acme-email <email>", "contact address for the ACME account (expiry notices)")
    .option("--acme-directory <url>", "the ACME directory (default: Let's Encrypt production)")
    .option("--acme-ca-file <file>", "a PEM CA to trust for the ACME directory's own HTTPS (a private CA)")
    .option(
      "--cert-renew-before <duration>",
      "renew a certificate when this much of its life is left (default: 30d or a third of its lifetime, whichever is less)",
    )
    // What the public proxy allows a client (docs/cli.md: slow clients); the defaults suit most sites.
    .option(
      "--header-timeout <duration>",
      "a request head must arrive within this (408)",
      durationOption("--header-timeout"),
      66_000,
    )
    .option(
      "--body-timeout <duration>",
      "longest pause allowed in a request body (408)",
      durationOption("--body-timeout"),
      30_000,
    )
    .option(
      "--min-body-rate <bytes/s>",
      "slowest average a request body may arrive at (408)",
      wholeNumber("--min-body-rate", 1),
      1024,
    )
    .option(
      "--send-timeout <duration>",
      "a client that reads none of its answer for this long is disconnected",
      durationOption("--send-timeout"),
      30_000,
    )
    .option(
      "--body-buffer <KB>",
      "request bodies up to this size are read whole before the app gets them",
      wholeNumber("--body-buffer", 0),
      64,
    )
    .option(
      "--upstream-connections <n>",
      "connections working for each app instance at once; more requests wait",
      wholeNumber("--upstream-connections", 1),
      128,
    )
    .option(
      "--isolation <mode>",
      "run each app as its own system user: auto (when the agent is root), on (refuse to start otherwise), off",
      parseIsolationFlag,
      "auto",
    )
    .option("--print-systemd-unit", "print a hardened systemd unit for these flags and exit")
    .option("--unit-user <name>", "with --print-systemd-unit --isolation off: the agent's own user", "skiff")
    .action(async (flags: AgentFlags) => {
      if (flags.printSystemdUnit) {
        process.stdout.write(unitFor(flags));
        return;
      }
      if (!flags.dataDir)
        throw new UsageError("--data-dir is required", "for example: skiff agent --data-dir /var/lib/skiff");
      const maxUploadMb = Number(flags.maxUpload);
      if (!Number.isFinite(maxUploadMb) || maxUploadMb <= 0)
        throw new UsageError(`--max-upload ${flags.maxUpload}: expected megabytes, like 512`);
      const tls = tlsSettingsFromFlags(flags);
      const inherited = inheritedFds(flags, process.env, process.pid);
      if (inherited.problem) throw new UsageError(inherited.problem, "see docs/cli.md: socket activation");
      if (inherited.fds.tls !== undefined && !tls)
        throw new UsageError("a TLS socket was passed (--tls-fd or LISTEN_FDNAMES) without --tls-listen");
      // Loaded here so every other command starts without the agent's dependencies.
      const [{ Agent }, { default: pino }] = await Promise.all([import("../agent/agent.js"), import("pino")]);
      const replaced = replacing();
      const agent = new Agent({
        fds: inherited.fds,
        ...(replaced ? { replacing: replaced } : {}),
        ...(flags.reloadGrace !== undefined ? { reloadGraceMs: flags.reloadGrace } : {}),
        dataDir: flags.dataDir,
        listen: parseHostPort("--listen", flags.listen),
        api: parseHostPort("--api", flags.api),
        ...(flags.tokenFile ? { tokenFile: flags.tokenFile } : {}),
        ...(flags.metricsTokenFile ? { metricsTokenFile: flags.metricsTokenFile } : {}),
        maxUploadBytes: maxUploadMb * 1024 * 1024,
        ...(flags.dockerSocket ? { dockerSocket: flags.dockerSocket } : {}),
        isolation: flags.isolation,
        ...(tls ? { tls } : {}),
        proxyLimits: {
          headMs: flags.headerTimeout,
          bodyMs: flags.bodyTimeout,
          minBodyRate: flags.minBodyRate,
          sendMs: flags.sendTimeout,
          bodyBufferBytes: flags.bodyBuffer * 1024,
          upstreamConnections: flags.upstreamConnections,
        },
        logger: pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime }),
      });
      await startOrExplain(agent, flags);
      reportReady();
      notifySystemd(["READY=1", `MAINPID=${process.pid}`], agent.logger);
      await untilSignalled(agent, flags);
    });
  registerReload(agent);
}

/** The unit for the flags given: the same addresses and data directory, isolated unless --isolation off. */
function unitFor(flags: AgentFlags): string {
  const dataDir = resolve(flags.dataDir ?? "/var/lib/skiff");
  parseHostPort("--listen", flags.listen);
  parseHostPort("--api", flags.api);
  const isolated = flags.isolation !== "off";
  const args = ["--data-dir", dataDir, "--listen", flags.listen, "--api", flags.api];
  if (flags.tlsListen) args.push("--tls-listen", flags.tlsListen);
  if (flags.acmeEmail) args.push("--acme-email", flags.acmeEmail);
  // "on", not auto: under this unit an agent that is somehow not root must refuse, not run apps as itself.
  args.push("--isolation", isolated ? "on" : "off");
  return systemdUnit({
    node: process.execPath,
    bin: SKIFF_BIN,
    args,
    dataDir,
    isolated,
    user: flags.unitUser,
  });
}

async function startOrExplain(agent: Agent, flags: AgentFlags): Promise<void> {
  try {
    await agent.start();
  } catch (error) {
    // The apps keep running: they may be an old agent's, still serving (a reload), or the next start adopts them.
    await agent.stop({ keepApps: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES") {
      const port = String((error as { port?: number }).port);
      const [flag, value] =
        port === flags.api.split(":").pop()
          ? ["--api", flags.api]
          : flags.tlsListen && port === flags.tlsListen.split(":").pop()
            ? ["--tls-listen", flags.tlsListen]
            : ["--listen", flags.listen];
      throw new SkiffError(
        `${flag} ${value}: ${code === "EADDRINUSE" ? "the address is already in use" : "permission denied"}`,
        1,
        "choose another address, or stop what listens there",
      );
    }
    throw error;
  }
}

/**
 * SIGTERM/SIGINT: stop accepting, drain, stop the apps (unless --keep-apps), exit 0. A second signal
 * exits at once. SIGHUP: reload (src/agent/reexec.ts), then exit once the new agent has taken over.
 */
function untilSignalled(agent: Agent, flags: AgentFlags): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    let reloading = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        agent.logger.warn({ signal }, "second signal: exiting without waiting");
        process.exit(1);
      }
      stopping = true;
      agent.logger.info({ signal }, "stopping");
      agent.stop({ keepApps: flags.keepApps === true }).then(resolve, reject);
    };
    const onReload = async () => {
      if (stopping || reloading) return;
      reloading = true;
      if (agent.operationsInFlight() > 0)
        agent.logger.info("reload waits for the operation under way to finish");
      while (agent.operationsInFlight() > 0 && !stopping) await sleep(RELOAD_POLL_MS);
      if (stopping) return;
      agent.logger.info("reloading: starting the new agent on the same sockets");
      const result = await reexec(agent.listeners(), RELOAD_READY_TIMEOUT_MS);
      if (stopping) return;
      if (!result.ok) {
        reloading = false;
        agent.reloadFailed(result.reason, result.pid);
        agent.logger.error(
          { newPid: result.pid, reason: result.reason },
          `reload failed: ${result.reason}; this agent keeps serving`,
        );
        return;
      }
      stopping = true;
      agent.logger.info({ newPid: result.pid }, `reloaded: agent ${result.pid} serves now; draining`);
      agent.handOver().then(resolve, reject);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    process.on("SIGHUP", () => void onReload());
  });
}

/** `skiff agent reload`: SIGHUP to the agent agent.json names, then wait until another one is named. */
function registerReload(agent: Command): void {
  agent
    .command("reload")
    .description("replace the running agent with the code now on disk, without dropping a request")
    .option("--data-dir <dir>", "the running agent's data directory (required)")
    .option("--json", "print machine-readable JSON (shapes in docs/cli.md)")
    .action(async (flags: { dataDir?: string; json?: boolean }) => {
      if (!flags.dataDir)
        throw new UsageError(
          "--data-dir is required",
          "for example: skiff agent reload --data-dir /var/lib/skiff",
        );
      const { reloadAgent } = await import("./agent-reload.js");
      await reloadAgent(flags.dataDir, flags.json === true);
    });
}
