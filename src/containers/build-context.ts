import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, normalize } from "node:path";
import type { Readable } from "node:stream";
import dockerignore from "@balena/dockerignore";
import { create } from "tar";

/**
 * The build context sent to the engine: the uploaded source as a tar stream, without what .dockerignore
 * excludes (matched with Docker's own rules, ported by balena). The Dockerfile and .dockerignore are always
 * sent, as the docker CLI does: the engine needs them even when they are listed.
 */
export function packContext(dir: string, dockerfile: string): Readable {
  const ignored = contextFilter(readIgnoreFile(dir), dockerfile);
  return create(
    { cwd: dir, portable: true, filter: (path) => !ignored(path) },
    readdirSync(dir),
  ) as unknown as Readable;
}

/** A predicate telling which context paths (relative, `/`-separated) .dockerignore excludes. Pure. */
export function contextFilter(ignoreText: string, dockerfile: string): (path: string) => boolean {
  // A CommonJS module whose types declare a default export: under NodeNext that is `.default`.
  const rules = dockerignore.default({ ignorecase: false }).add(ignoreText.split("\n"));
  const always = new Set([normalize(dockerfile), ".dockerignore"]);
  return (path) => {
    const relative = normalize(path).replace(/^\.\//, "").replace(/\/$/, "");
    if (relative === "." || relative === "" || always.has(relative)) return false;
    return rules.ignores(relative);
  };
}

function readIgnoreFile(dir: string): string {
  const file = join(dir, ".dockerignore");
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}
