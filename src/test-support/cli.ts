import { vi } from "vitest";
import { main } from "../cli/main.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `work` with this process's stdout and stderr captured. */
export async function captureOutput<T>(
  work: () => Promise<T>,
): Promise<{ value: T; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const value = await work();
    return { value, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Runs the CLI in this process with stdout and stderr captured. */
export async function runCli(args: string[]): Promise<CliRun> {
  const { value: code, stdout, stderr } = await captureOutput(() => main(args));
  return { code, stdout, stderr };
}
