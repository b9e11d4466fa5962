import { realpathSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { gitTopLevel } from "../preflight/files.js";
import { installHook, type SkiffCommand, uninstallHook } from "../preflight/hook.js";
import { withJson } from "./options.js";
import { Output } from "./output.js";

/** This process's node and skiff bin, so the hook runs the same skiff. */
function currentSkiff(): SkiffCommand {
  const script = process.argv[1];
  if (!script) throw new UsageError("cannot tell where skiff is installed");
  return { node: process.execPath, bin: realpathSync(script) };
}

async function repoOf(dir: string): Promise<{ top: string; project: string }> {
  const top = await gitTopLevel(resolve(dir));
  if (!top) throw new UsageError(`${dir} is not inside a git repository`, "run `git init` first");
  return { top, project: relative(top, resolve(dir)) || "." };
}

export function register(program: Command): void {
  const hooks = program
    .command("hooks")
    .description("install or remove the git pre-push hook that runs skiff preflight");
  withJson(hooks.command("install").argument("[dir]", "the project directory", "."))
    .description("add a pre-push hook that runs `skiff preflight` and stops the push on blocking findings")
    .action(async (dir: string, options: { json?: boolean }) => {
      const out = new Output(options);
      const { top, project } = await repoOf(dir);
      const result = await installHook(top, project, currentSkiff());
      out.result({ hook: result.path, created: result.created });
      out.line(
        `pre-push hook ${result.created ? "created" : "updated"}: ${result.path} runs \`skiff preflight ${project}\``,
      );
    });
  withJson(hooks.command("uninstall").argument("[dir]", "the project directory", "."))
    .description("remove what `skiff hooks install` added to the pre-push hook, and nothing else")
    .action(async (dir: string, options: { json?: boolean }) => {
      const out = new Output(options);
      const { top } = await repoOf(dir);
      const result = await uninstallHook(top);
      out.result({ hook: result.path, removed: result.removed, deleted: result.deleted });
      if (!result.removed) out.line(`no skiff block in ${result.path}: nothing to remove`);
      else
        out.line(
          result.deleted
            ? `removed ${result.path} (skiff had created it)`
            : `removed skiff's block from ${result.path}`,
        );
    });
}
