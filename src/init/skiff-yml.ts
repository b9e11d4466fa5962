import { stringify } from "yaml";
import { DEFAULT_WEBHOOK_SECRET_ENV } from "../environments/schema.js";
import type { DetectedApp } from "./detect.js";

/** A YAML scalar on one line, quoted only when it has to be (`#`, `: `, a leading `{`…). */
function scalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/**
 * Pure. A commented skiff.yml for the detected app: the fields it needs set, the rest present as
 * comments so the file documents itself. It parses with parseAppConfig (tested).
 */
export function renderSkiffYml(app: DetectedApp, git: { repo: string | undefined; branch: string }): string {
  const lines = [
    "# skiff.yml: how Skiff builds, starts, checks and ships this app. Written by `skiff init`; edit freely.",
    `# Detected: ${app.kind} app (${app.reasons.join("; ")}).`,
    "",
    `app: ${scalar(app.app)}`,
    "# Starts one instance, through sh. It gets PORT (listen there) and HOST=127.0.0.1.",
    `start: ${scalar(app.start)}`,
    ...(app.install
      ? [
          "# Dependencies: skipped, and the last release's copied (hard links), while the cache_key files are unchanged.",
          `install: ${scalar(app.install)}`,
          `cache: [${(app.cache ?? []).join(", ")}]`,
          ...(app.cacheKey ? [`cache_key: [${app.cacheKey.join(", ")}]`] : []),
        ]
      : []),
    ...(app.build
      ? ["# Runs in the release directory before start.", `build: ${scalar(app.build)}`]
      : ["# build: ...               # runs in the release directory before start"]),
    "",
    "# host: hello.example.com   # serve this host name (default: every request the proxy gets)",
    "# instances: 1              # web processes per release, load-balanced",
    "# processes:                # more process types beside web (or a Procfile), restarted on crash",
    "#   worker: { command: node worker.js, instances: 1 }",
    "# release: npm run migrate  # once per deploy, after the build, before anything starts",
    "# storage: [data]           # kept across deploys and rollbacks, in $SKIFF_STORAGE_DIR",
    "# env:                      # variables for the app (never secrets in git: the agent's environment has those)",
    "#   LOG_LEVEL: info",
    "",
    "healthcheck:",
    "  # A new release gets traffic only once this path answers 2xx twice in a row.",
    `  path: ${scalar(app.healthPath)}`,
    "",
    "# Push to deploy: the agent fetches `repo` when a webhook says `branch` moved (docs/versions.md).",
    git.repo ? `repo: ${scalar(git.repo)}` : "# repo: git@github.com:me/hello.git",
    `branch: ${scalar(git.branch)}`,
    `webhook_secret_env: ${DEFAULT_WEBHOOK_SECRET_ENV}   # the agent reads the webhook secret from this variable`,
    "",
    "# environments:             # overrides per environment; production is the top level",
    `#   staging: { host: staging.example.com, branch: develop, env: { LOG_LEVEL: debug } }`,
    "# previews:                 # every other branch at its own host, removed when the branch is deleted",
    "#   enabled: true",
    '#   host: "{branch}.preview.example.com"',
    "#   ttl: 7d",
    "#   max: 5",
    "",
  ];
  return lines.join("\n");
}
