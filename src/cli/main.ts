import { Command, CommanderError } from "commander";
import { EXIT, SilentExit, SkiffError } from "../errors.js";
import { Output } from "./output.js";

type Register = (program: Command) => void;

/** Each command lives in its own file and adds itself here. */
const COMMANDS: Array<() => Promise<Register>> = [
  () => import("./preflight.js").then((m) => m.register),
  () => import("./hooks.js").then((m) => m.register),
];

export function buildProgram(registrations: Register[]): Command {
  const program = new Command("skiff")
    .description("Zero-downtime, health-gated deploys with instant rollback, on your own server.")
    .version(process.env.npm_package_version ?? "0.1.0", "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const register of registrations) register(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and resolves to the process exit code. Only bin/skiff.js calls process.exit. */
export async function main(argv: string[]): Promise<number> {
  const registrations = await Promise.all(COMMANDS.map((load) => load()));
  const program = buildProgram(registrations);
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (error) {
    return exitCodeFor(error, argv.includes("--json"));
  }
}

function exitCodeFor(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof SilentExit) return error.exitCode;
  new Output({ json }).error(error);
  if (error instanceof SkiffError) return error.exitCode;
  if (process.env.SKIFF_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return EXIT.failed;
}
