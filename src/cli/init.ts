import { resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { type CiProvider, initApp } from "../init/init.js";
import { withJson } from "./options.js";
import { Output } from "./output.js";

interface InitFlags {
  ci?: string;
  force?: boolean;
  json?: boolean;
}

const CI_PROVIDERS: CiProvider[] = ["github"];

export function register(program: Command): void {
  withJson(
    program
      .command("init")
      .description("detect the app and write a commented skiff.yml (and a CI workflow with --ci github)")
      .argument("[dir]", "the app's directory", ".")
      .option("--ci <provider>", "also write a CI workflow that checks and deploys: github")
      .option("--force", "overwrite files that already exist"),
  ).action(async (dir: string, flags: InitFlags) => {
    const out = new Output({ json: flags.json });
    if (flags.ci !== undefined && !CI_PROVIDERS.includes(flags.ci as CiProvider)) {
      throw new UsageError(`--ci ${flags.ci}: expected one of ${CI_PROVIDERS.join(", ")}`);
    }
    const result = await initApp(resolve(dir), {
      ci: flags.ci as CiProvider | undefined,
      force: flags.force,
    });
    const { detected } = result;
    const next = [
      "review skiff.yml: start, build and healthcheck.path",
      ...(flags.ci
        ? [
            "add the repository secrets SKIFF_AGENT_URL and SKIFF_TOKEN (Settings → Secrets and variables → Actions)",
          ]
        : []),
      "check every push before it leaves: skiff hooks install",
    ];
    for (const file of result.files) out.step(true, file.path, undefined, file.action);
    out.line(
      `${detected.kind} app ${out.paint("bold", detected.app)}: start \`${detected.start}\`${detected.build ? `, build \`${detected.build}\`` : ""}`,
    );
    out.line();
    out.line("next:");
    for (const [i, step] of next.entries()) out.line(`  ${i + 1}. ${step}`);
    out.result({
      app: detected.app,
      kind: detected.kind,
      start: detected.start,
      build: detected.build ?? null,
      healthPath: detected.healthPath,
      repo: result.repo ?? null,
      branch: result.branch,
      files: result.files,
      next,
    });
  });
}
