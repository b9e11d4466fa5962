import { existsSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";

/** The app a command acts on: --app, else `app:` of ./skiff.yml (the config code loads only then). */
export async function targetApp(flag: string | undefined): Promise<string> {
  if (flag) return flag;
  if (!existsSync(join(process.cwd(), "skiff.yml"))) {
    throw new UsageError("--app is required (there is no skiff.yml in this directory to take the app from)");
  }
  const { loadAppConfig } = await import("../config/load.js");
  return loadAppConfig(process.cwd()).app;
}
