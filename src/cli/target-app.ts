import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadAppConfig } from "../config/load.js";
import { UsageError } from "../errors.js";

/** The app a command acts on: --app, else `app:` of ./skiff.yml. */
export function targetApp(flag: string | undefined): string {
  if (flag) return flag;
  if (!existsSync(join(process.cwd(), "skiff.yml"))) {
    throw new UsageError("--app is required (there is no skiff.yml in this directory to take the app from)");
  }
  return loadAppConfig(process.cwd()).app;
}
