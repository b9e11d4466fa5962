import { Command, CommanderError } from "commander";
import { reportStartFailure } from "../agent/reexec.js";
import { EXIT, PassThroughExit, SilentExit, SkiffError } from "../errors.js";
import { VERSION } from "../version.js";
import { Output } from "./output.js";

type Register = (program: Command) => void;

/**
 * Each command lives in its own file and adds itself here. Only the command being run is loaded
 * (all of them for top-level help), so `skiff status` does not pay for the agent's dependencies.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  agent: () => import("./agent.js").then((m) => m.register),
  deploy: () => import("./deploy.js").then((m) => m.register),
  rollback: () => import("./rollback.js").then((m) => m.register),
  promote: () => import("./promote.js").then((m) => m.register),
  releases: () => import("./releases.js").then((m) => m.register),
  status: () => import("./status.js").then((m) => m.register),
  logs: () => import("./logs.js").then((m) => m.register),
  accessory: () => import("./accessory.js").then((m) => m.register),
  demo: () => import("./demo.js").then((m) => m.register),
  incidents: () => import("./incidents.js").then((m) => m.register),
  alerts: () => import("./alerts.js").then((m) => m.register),
  metrics: () => import("./metrics.js").then((m) => m.register),
  version: () => import("./version.js").then((m) => m.register),
  init: () => import("./init.js").then((m) => m.register),
  preflight: () => import("./preflight.js").then((m) => m.register),
  hooks: () => import("./hooks.js").then((m) => m.register),
  secrets: () => import("./secrets.js").then((m) => m.register),
  certs: () => import("./certs.js").then((m) => m.register),
  backups: () => import("./backups.js").then((m) => m.register),
  backup: () => import("./backup.js").then((m) => m.register),
  restore: () => import("./restore.js").then((m) => m.register),
  run: () => import("./run.js").then((m) => m.register),
  runs: () => import("./runs.js").then((m) => m.register),
  dashboard: () => import("./dashboard.js").then((m) => m.register),
};

function loadersFor(argv: string[]): Array<() => Promise<Register>> {
  const name = argv.find((arg) => !arg.startsWith("-"));
  const loader = name === undefined ? undefined : COMMANDS[name];
  return loader ? [loader] : Object.values(COMMANDS);
}

export function buildProgram(registrations: Register[]): Command {
  const program = new Command("skiff")
    .description("Zero-downtime, health-gated deploys with instant rollback, on your own server.")
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const register of registrations) register(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and resolves to the process exit code. Only bin/skiff.js calls process.exit. */
export async function main(argv: string[]): Promise<number> {
  const registrations = await Promise.all(loadersFor(argv).map((load) => load()));
  const program = buildProgram(registrations);
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (error) {
    const code = exitCodeFor(error, argv.includes("--json"));
    // A new agent started by a reload: the old one, still serving, logs why this one did not start.
    if (code !== EXIT.ok) await reportStartFailure(error instanceof Error ? error.message : String(error));
    return code;
  }
}

function exitCodeFor(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof SilentExit || error instanceof PassThroughExit) return error.exitCode;
  new Output({ json }).error(error);
  if (error instanceof SkiffError) return error.exitCode;
  if (process.env.SKIFF_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return EXIT.failed;
}
