import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** What detection reads of a project: its file list and the text of the files that tell what it is. */
export interface ProjectSnapshot {
  /** The directory's name, a fallback for the app's name. */
  dirName: string;
  /** Paths relative to the project, `/`-separated, at most two folders deep, no dependencies or VCS. */
  files: string[];
  /** Text of the manifests and of small source files, by path. */
  text: Record<string, string>;
}

const SKIPPED = new Set([
  ".git",
  "node_modules",
  ".venv",
  "venv",
  "__pycache__",
  "vendor",
  ".next",
  "target",
]);
const MANIFESTS = new Set(["package.json", "requirements.txt", "pyproject.toml", "go.mod", "manage.py"]);
const SOURCE = /\.(js|mjs|cjs|ts|py|go)$/;
const MAX_DEPTH = 2;
const MAX_FILES = 2000;
const MAX_SOURCE_BYTES = 256 * 1024;

/** Reads the snapshot of `dir` (bounded: a huge repo costs at most MAX_FILES stat calls). */
export function readProject(dir: string, dirName: string): ProjectSnapshot {
  const files: string[] = [];
  const walk = (folder: string, depth: number) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (files.length >= MAX_FILES) return;
      const path = join(folder, entry.name);
      if (entry.isDirectory() && !SKIPPED.has(entry.name) && depth < MAX_DEPTH) walk(path, depth + 1);
      else if (entry.isFile()) files.push(relative(dir, path).split("\\").join("/"));
    }
  };
  walk(dir, 0);
  const text: Record<string, string> = {};
  for (const file of files) {
    const wanted = MANIFESTS.has(file) || file.endsWith("/wsgi.py") || SOURCE.test(file);
    if (wanted && statSync(join(dir, file)).size <= MAX_SOURCE_BYTES)
      text[file] = readFileSync(join(dir, file), "utf8");
  }
  return { dirName, files, text };
}
