import { ConfigError } from "../../errors.js";
import { parseAppConfig } from "../load.js";

/** The key-path messages parseAppConfig reports for `text`; fails the test if it parses cleanly. */
export function configIssues(text: string): string[] {
  try {
    parseAppConfig(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

/** A minimal valid skiff.yml with `section` appended. */
export function withSection(section: string): string {
  return `app: hello\nstart: node server.js\n${section}`;
}
