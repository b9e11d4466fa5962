import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { git } from "../git/git.js";

const BEGIN =
  "# >>> skiff preflight (added by `skiff hooks install`; `skiff hooks uninstall` removes it) >>>";
const BEGIN_CREATED =
  "# >>> skiff preflight (skiff created this file; `skiff hooks uninstall` removes it) >>>";
const END = "# <<< skiff preflight <<<";
const BLOCK = /# >>> skiff preflight \([^\n]*\) >>>\n[\s\S]*?# <<< skiff preflight <<<\n?/;
const SHELL = /^#!.*\b(?:sh|bash|zsh|dash|ksh)\b/;

export interface SkiffCommand {
  /** Absolute paths of node and of bin/skiff.js as installed now. */
  node: string;
  bin: string;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * The hook's block. It tries the skiff that installed it, then one on PATH, then the project's own
 * (npx): a moved install still works. Stdin is not passed on: git's list of pushed refs stays for
 * any hook lines after ours.
 */
export function hookBlock(command: SkiffCommand, dir: string, created: boolean): string {
  const args = `preflight ${quote(dir)} </dev/null`;
  return [
    created ? BEGIN_CREATED : BEGIN,
    `if [ -f ${quote(command.bin)} ]; then ${quote(command.node)} ${quote(command.bin)} ${args}`,
    `elif command -v skiff >/dev/null 2>&1; then skiff ${args}`,
    `else npx --no-install skiff ${args}`,
    `fi || { echo "skiff preflight found blocking problems: push stopped (git push --no-verify skips it)" >&2; exit 1; }`,
    END,
    "",
  ].join("\n");
}

/** The pre-push hook's path, honouring core.hooksPath. */
export async function prePushPath(dir: string): Promise<string> {
  const hooks = await git(["rev-parse", "--git-path", "hooks"], { cwd: dir });
  return join(resolve(dir, hooks), "pre-push");
}

/**
 * Adds the block to the pre-push hook: a new hook, or right after the shebang of an existing shell
 * hook (so it runs before an `exit 0` at the end). Installing again replaces the block.
 */
export async function installHook(repoDir: string, projectDir: string, command: SkiffCommand) {
  const path = await prePushPath(repoDir);
  if (!existsSync(path)) {
    mkdirSync(resolve(path, ".."), { recursive: true });
    writeFileSync(path, `#!/bin/sh\n${hookBlock(command, projectDir, true)}`, { mode: 0o755 });
    return { path, created: true };
  }
  const text = readFileSync(path, "utf8");
  const existing = BLOCK.exec(text);
  if (existing) {
    const created = existing[0].startsWith(BEGIN_CREATED);
    writeFileSync(path, text.replace(BLOCK, hookBlock(command, projectDir, created)));
    return { path, created: false };
  }
  const firstLine = text.slice(0, text.indexOf("\n") + 1 || text.length);
  if (!SHELL.test(firstLine)) {
    throw new UsageError(
      `${path} is not a shell script, so skiff will not edit it`,
      `add this to it yourself:\n${hookBlock(command, projectDir, false)}`,
    );
  }
  const body = firstLine.endsWith("\n") ? text.slice(firstLine.length) : "";
  const head = firstLine.endsWith("\n") ? firstLine : `${firstLine}\n`;
  writeFileSync(path, head + hookBlock(command, projectDir, false) + body);
  chmodSync(path, 0o755);
  return { path, created: false };
}

/** Removes exactly the block install added; deletes the file only if skiff created it and nothing else was added. */
export async function uninstallHook(repoDir: string) {
  const path = await prePushPath(repoDir);
  if (!existsSync(path)) return { path, removed: false, deleted: false };
  const text = readFileSync(path, "utf8");
  const existing = BLOCK.exec(text);
  if (!existing) return { path, removed: false, deleted: false };
  const rest = text.replace(BLOCK, "");
  if (existing[0].startsWith(BEGIN_CREATED) && rest.trim() === "#!/bin/sh") {
    rmSync(path);
    return { path, removed: true, deleted: true };
  }
  writeFileSync(path, rest);
  return { path, removed: true, deleted: false };
}
