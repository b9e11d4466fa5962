import { resolve } from "node:path";
import type { Command } from "commander";
import type { Agent } from "../agent/agent.js";
import { SKIFF_BIN } from "../agent/spawn.js";
import { SkiffError, UsageError } from "../errors.js";
import { type IsolationFlag, parseIsolationFlag } from "../isolation/policy.js";
import { systemdUnit } from "../isolation/systemd-unit.js";
import { type TlsFlags, tlsSettingsFromFlags } from "../tls/flags.js";
import { parseHostPort } from "./address.js";
import { durationOption, wholeNumber } from "./options.js";

interface AgentFlags extends TlsFlags {
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
  program
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
      // Loaded here so every other command starts without the agent's dependencies.
      const [{ Agent }, { default: pino }] = await Promise.all([import("../agent/agent.js"), import("pino")]);
      const agent = new Agent({
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
      await untilSignalled(agent);
    });
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
    await agent.stop().catch(() => undefined);
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

/** SIGTERM/SIGINT: stop accepting, drain, stop the apps, exit 0. A second signal exits at once. */
function untilSignalled(agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        agent.logger.warn({ signal }, "second signal: exiting without waiting");
        process.exit(1);
      }
      stopping = true;
      agent.logger.info({ signal }, "stopping");
      agent.stop().then(resolve, reject);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}
