import { stringify } from "yaml";
import type { DetectedApp } from "./detect.js";

export const WORKFLOW_FILE = ".github/workflows/deploy.yml";

type Step = {
  name: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
};

const HEADER = [
  "# Written by `skiff init --ci github`. On every push to the production branch: preflight, tests,",
  "# then `skiff deploy`. Needs two repository secrets (Settings → Secrets and variables → Actions):",
  "#   SKIFF_AGENT_URL  the agent's API URL, e.g. https://deploy.example.com",
  "#   SKIFF_TOKEN      the agent's token (the file DATA_DIR/token on the server)",
  "# And one repository variable (same page, Variables tab): SKIFF_CLI, what npm installs the skiff CLI",
  "# from: a git URL (github:you/skiff), a tarball URL or a registry package you published.",
  "# If the agent already deploys on push through a webhook, remove the Deploy step and keep the checks.",
  "",
].join("\n");

/** Pure. The GitHub Actions workflow for the detected app, as YAML text. */
export function renderWorkflow(app: DetectedApp, branch: string): string {
  const workflow = {
    name: "deploy",
    on: { push: { branches: [branch] }, workflow_dispatch: {} },
    // One deploy at a time; a newer push waits rather than cancelling a deploy half-way.
    concurrency: { group: "skiff-deploy", "cancel-in-progress": false },
    jobs: {
      deploy: {
        "runs-on": "ubuntu-latest",
        env: { SKIFF_CLI: `\${{ vars.SKIFF_CLI }}` },
        steps: steps(app),
      },
    },
  };
  return HEADER + stringify(workflow, { lineWidth: 0 });
}

/** GitHub's expression for a repository secret: `${{ secrets.NAME }}`. */
function secretRef(name: string): string {
  return `\${{ secrets.${name} }}`;
}

function steps(app: DetectedApp): Step[] {
  const { ci } = app;
  return [
    // Full history and tags: versions count the commits since the last release.
    { name: "Check out", uses: "actions/checkout@v4", with: { "fetch-depth": 0 } },
    { name: "Set up Node", uses: "actions/setup-node@v4", with: { "node-version": ci.node } },
    ...(ci.python
      ? [{ name: "Set up Python", uses: "actions/setup-python@v5", with: { "python-version": ci.python } }]
      : []),
    ...(ci.goVersionFile
      ? [{ name: "Set up Go", uses: "actions/setup-go@v5", with: { "go-version-file": ci.goVersionFile } }]
      : []),
    ...(ci.corepack ? [{ name: "Enable corepack", run: "corepack enable" }] : []),
    {
      name: "Install skiff",
      // No default: `skiff` on the public registry is not this project.
      run: [
        'if [ -z "$SKIFF_CLI" ]; then',
        '  echo "::error::set the repository variable SKIFF_CLI to where npm installs skiff from (e.g. github:you/skiff)"',
        "  exit 1",
        "fi",
        'npm install --global "$SKIFF_CLI"',
      ].join("\n"),
    },
    { name: "Preflight", run: "skiff preflight ." },
    ...(ci.install ? [{ name: "Install dependencies", run: ci.install }] : []),
    { name: ci.test.name, run: ci.test.run },
    {
      name: "Deploy",
      run: "skiff deploy .",
      env: { SKIFF_AGENT: secretRef("SKIFF_AGENT_URL"), SKIFF_TOKEN: secretRef("SKIFF_TOKEN") },
    },
  ];
}
