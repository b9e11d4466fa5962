import { createHash } from "node:crypto";
import type { AppConfig } from "../config/schema.js";
import { PRODUCTION } from "./names.js";
import { defaultPreviewTemplate } from "./overrides.js";
import { configForEnvironment } from "./resolve.js";
import { BRANCH_PLACEHOLDER } from "./schema.js";

const MAX_LABEL = 63;
const HASH_LENGTH = 6;

/**
 * Pure. A branch name as one DNS label: lowercase letters, digits and dashes, at most 63 characters.
 * `feature/Login_v2` → `feature-login-v2`. A name that had to be shortened, or that has nothing usable,
 * ends with a hash of the full branch name so that two long branches do not share a preview.
 */
export function previewSlug(branch: string, maxLength = MAX_LABEL): string {
  const plain = branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (plain && plain.length <= maxLength) return plain;
  const hash = createHash("sha256").update(branch).digest("hex").slice(0, HASH_LENGTH);
  const room = maxLength - HASH_LENGTH - 1;
  const head = room > 0 ? plain.slice(0, room).replace(/-+$/, "") : "";
  return head ? `${head}-${hash}` : hash.slice(0, maxLength);
}

/** Pure. `{branch}.preview.hello.example.com` + `feat/x` → `feat-x.preview.hello.example.com`. */
export function previewHost(template: string, branch: string): string {
  return template.replace(BRANCH_PLACEHOLDER, slugInTemplate(template, branch));
}

/** The slug, short enough that the label holding it (`{branch}-pr` say) stays within 63 characters. */
function slugInTemplate(template: string, branch: string): string {
  const label = template.split(".").find((part) => part.includes(BRANCH_PLACEHOLDER)) ?? BRANCH_PLACEHOLDER;
  return previewSlug(branch, MAX_LABEL - (label.length - BRANCH_PLACEHOLDER.length));
}

/** The template in effect: `previews.host`, else `{branch}.preview.<the app's host>`. */
export function previewHostTemplate(config: AppConfig): string | undefined {
  return config.previews.hostTemplate ?? defaultPreviewTemplate(config.hosts);
}

export interface PreviewTarget {
  branch: string;
  slug: string;
  host: string;
  /** Production's config with the preview's host and a single instance. */
  config: AppConfig;
}

/**
 * Pure. What a preview of `branch` deploys: production's config served at the preview host, one instance
 * (previews are for looking at, and there can be `previews.max` of them at once).
 * Undefined when previews are off or there is no host template.
 */
export function previewFor(config: AppConfig, branch: string): PreviewTarget | undefined {
  const template = previewHostTemplate(config);
  if (!config.previews.enabled || !template) return undefined;
  const slug = slugInTemplate(template, branch);
  const host = template.replace(BRANCH_PLACEHOLDER, slug);
  const production = configForEnvironment(config, PRODUCTION);
  // No secrets: a preview runs any pushed branch's code, unreviewed; production's DATABASE_URL stays out.
  return { branch, slug, host, config: { ...production, hosts: [host], instances: 1, secrets: [] } };
}
