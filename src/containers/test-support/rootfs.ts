import { execFileSync } from "node:child_process";
import {
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { dirname, join } from "node:path";

/**
 * A minimal root filesystem made of this machine's own files, for images built without a registry:
 * Debian's static busybox for a shell and the usual tools, and any dynamic binary with the shared libraries
 * `ldd` lists for it (node, postgres). Files are copied (reflinked where the filesystem allows).
 */
export class RootFs {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** /bin/busybox and a symlink per applet it has (sh, httpd, nc, sleep…), plus /tmp. */
  busybox(): this {
    this.file("/bin/busybox");
    const applets = execFileSync("/bin/busybox", ["--list"], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    for (const applet of applets) {
      const link = join(this.dir, "bin", applet);
      if (applet !== "busybox" && !existsSync(link)) symlinkSync("busybox", link);
    }
    mkdirSync(join(this.dir, "tmp"), { recursive: true, mode: 0o1777 });
    return this;
  }

  /** A dynamic binary (or shared object) at its own path, with every library the loader needs for it. */
  binary(path: string): this {
    this.file(path);
    for (const library of sharedLibraries(path)) this.file(library);
    return this;
  }

  /** A file at the same path inside, dereferencing symlinks (a library's soname link becomes the file). */
  file(path: string): this {
    const target = join(this.dir, path);
    if (existsSync(target)) return this;
    mkdirSync(dirname(target), { recursive: true });
    // Copied, not hard-linked: node-tar's stream stalls on a tree full of hard links to shared inodes
    // (zoneinfo's aliases), and a copy can never change a system file. COPYFILE_FICLONE reflinks where it can.
    copyFileSync(realpathSync(path), target, constants.COPYFILE_FICLONE);
    return this;
  }

  /** A directory tree, file by file; `skip` leaves out names (e.g. the JIT's libraries). */
  tree(path: string, skip: (name: string) => boolean = () => false): this {
    for (const name of readdirSync(path)) {
      if (skip(name)) continue;
      const full = join(path, name);
      if (statSync(full).isDirectory()) this.tree(full, skip);
      else this.file(full);
    }
    return this;
  }
}

/** The absolute paths of the shared libraries `ldd` lists for `path` (transitively, as the loader resolves them). */
export function sharedLibraries(path: string): string[] {
  const output = execFileSync("ldd", [path], { encoding: "utf8" });
  return parseLdd(output);
}

/** `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)` and `/lib64/ld-linux-x86-64.so.2 (0x…)` lines. */
export function parseLdd(output: string): string[] {
  const paths = new Set<string>();
  for (const line of output.split("\n")) {
    const match = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (match) paths.add(match[1]!);
  }
  return [...paths];
}
