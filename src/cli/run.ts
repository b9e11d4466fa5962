import { userInfo } from "node:os";
import type { Command } from "commander";
import type { RunEvent, RunRequest } from "../agent/api-types.js";
import { PRODUCTION } from "../environments/names.js";
import { AgentError, PassThroughExit, UsageError } from "../errors.js";
import { AgentClient, ndjsonLines } from "./client.js";
import { type AppOptions, withApp } from "./options.js";
import { Output } from "./output.js";
import { targetApp } from "./target-app.js";

/** skiff's own failure (agent unreachable, no live release, the stream cut), apart from any command's status. */
export const RUN_FAILED = 125;

/** Signals that stop the command: forwarded by hanging up, after which the agent interrupts it. */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

interface RunFlags extends AppOptions {
  env: string;
}

export function register(program: Command): void {
  withApp(
    program
      .command("run")
      .description(
        "run a one-off command in the live release, with its environment, secrets and storage; exits with its status",
      )
      .usage("[--app A] [--env E] -- CMD [ARGS...]")
      .argument("<command...>", "the program and its arguments, after --; run as given, not through a shell")
      .option("--env <name>", "the environment whose live release to run in", PRODUCTION),
  ).action(async (argv: string[], flags: RunFlags) => {
    const out = new Output({ json: flags.json });
    let code: number;
    try {
      code = await runRemote(out, argv, flags);
    } catch (error) {
      // Not the command's status: say why, and exit 125 (2 for a usage error) so a script can tell.
      out.error(error);
      code = error instanceof UsageError ? error.exitCode : RUN_FAILED;
    }
    throw new PassThroughExit(code);
  });
}

async function runRemote(out: Output, argv: string[], flags: RunFlags): Promise<number> {
  const app = await targetApp(flags.app);
  const body: RunRequest = { argv, env: flags.env, requestedBy: userInfo().username };
  const hangUp = new AbortController();
  let stoppedBy: keyof typeof STOP_SIGNALS | undefined;
  const onSignal = (signal: keyof typeof STOP_SIGNALS) => {
    stoppedBy = signal;
    hangUp.abort();
  };
  const handlers = Object.keys(STOP_SIGNALS).map((name) => {
    const signal = name as keyof typeof STOP_SIGNALS;
    const handler = () => onSignal(signal);
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  try {
    const res = await AgentClient.from(flags).send("POST", `/v1/apps/${app}/runs`, {
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
      signal: hangUp.signal,
    });
    let exit: Extract<RunEvent, { type: "exit" }> | undefined;
    try {
      for await (const line of ndjsonLines(res)) {
        const event = JSON.parse(line) as RunEvent;
        if (out.json) out.jsonLine(event);
        else if (event.type === "output")
          (event.stream === "stdout" ? process.stdout : process.stderr).write(
            Buffer.from(event.data, "base64"),
          );
        if (event.type === "exit") exit = event;
      }
    } catch {
      // Cut mid-stream: by our own hang-up (below) or by the agent.
    }
    if (stoppedBy) return stopped(out, stoppedBy);
    if (!exit)
      throw new AgentError(
        "the connection to the agent broke before the command ended; the agent stops it when the client is gone",
        "`skiff runs` shows how it ended",
      );
    if (exit.error && !out.json) out.warn(exit.error);
    return exit.exitCode;
  } catch (error) {
    if (stoppedBy) return stopped(out, stoppedBy);
    throw error;
  } finally {
    for (const off of handlers) off();
  }
}

/** Hanging up is the stop: the agent sends SIGINT to the command, then SIGTERM and SIGKILL if it stays. */
function stopped(out: Output, signal: keyof typeof STOP_SIGNALS): number {
  if (!out.json)
    out.warn(`${signal}: the agent interrupts the command (SIGINT, then SIGTERM and SIGKILL if it stays)`);
  return STOP_SIGNALS[signal];
}
