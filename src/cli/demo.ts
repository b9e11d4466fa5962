import type { Command } from "commander";
import { SilentExit } from "../errors.js";
import { withJson } from "./options.js";
import { Output } from "./output.js";

export function register(program: Command): void {
  withJson(
    program
      .command("demo")
      .description(
        "see it work: a temporary agent, the example app deployed, upgraded and rolled back under load",
      ),
  ).action(async (flags: { json?: boolean }) => {
    const out = new Output({ json: flags.json });
    const { runDemo } = await import("../demo/demo.js");
    const report = await runDemo(out);
    out.result(report);
    if (!report.ok) throw new SilentExit(1);
  });
}
