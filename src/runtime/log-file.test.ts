import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LogFile, tailLines } from "./log-file.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function logPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "skiff-log-"));
  dirs.push(dir);
  return join(dir, "r1.log");
}

describe("LogFile", () => {
  it("rotates to .1 past its cap, so the disk holds at most two files of it", () => {
    const path = logPath();
    const log = new LogFile(path, 1000);
    for (let i = 0; i < 60; i++) log.write(`line ${String(i).padStart(3, "0")} ${"x".repeat(40)}\n`);
    log.close();
    expect(readFileSync(path).length).toBeLessThanOrEqual(1000);
    expect(readFileSync(`${path}.1`).length).toBeLessThanOrEqual(1000);
    expect(existsSync(`${path}.2`)).toBe(false);
    expect(readFileSync(path, "utf8")).toContain("line 059");
  });

  it("reads the last lines across the rotated file", () => {
    const path = logPath();
    const log = new LogFile(path, 200);
    for (let i = 0; i < 10; i++) log.write(`line ${i} ${"y".repeat(30)}\n`);
    log.note("instance 0 exited (exit code 1)");
    log.close();
    const tail = tailLines(path, 6);
    expect(tail).toHaveLength(6);
    expect(tail.at(-1)).toMatch(/^\[skiff .*\] instance 0 exited \(exit code 1\)$/);
    expect(tail.slice(0, 5).map((l) => l.split(" ")[1])).toEqual(["5", "6", "7", "8", "9"]);
    expect(tailLines(join(path, "missing"), 5)).toEqual([]);
  });
});
