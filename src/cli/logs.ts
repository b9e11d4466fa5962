import type { Command } from "commander";
import { AgentClient } from "./client.js";
import { type AppOptions, wholeNumber, withApp } from "./options.js";
import { Output } from "./output.js";
import { targetApp } from "./target-app.js";
import { terminalSafe } from "./terminal-text.js";

interface LogsFlags extends AppOptions {
  release?: string;
  process?: string;
  follow?: boolean;
  lines: number;
}

export function register(program: Command): void {
  withApp(
    program
      .command("logs")
      .description(
        "the app's stdout and stderr (web, with its install, build and release command; --process for another type), from the live release unless --release",
      )
      .option("--release <id>", "the release whose log to show, like r3")
      .option("--process <type>", "another process type's log, like worker (default: web, with the build)")
      .option("-f, --follow", "keep printing new lines until interrupted")
      .option("-n, --lines <n>", "how many lines from the end to start with", wholeNumber("--lines", 0), 100),
  ).action(async (flags: LogsFlags) => {
    const out = new Output({ json: flags.json });
    const app = await targetApp(flags.app);
    const query = new URLSearchParams({ lines: String(flags.lines) });
    if (flags.release) query.set("release", flags.release);
    if (flags.process) query.set("process", flags.process);
    if (flags.follow) query.set("follow", "1");
    const res = await AgentClient.from(flags).send("GET", `/v1/apps/${app}/logs?${query}`);
    const release = String(res.headers["x-skiff-release"] ?? flags.release ?? "");
    let partial = "";
    let empty = true;
    const decoder = new TextDecoder();
    for await (const chunk of res as AsyncIterable<Uint8Array>) {
      if (chunk.length > 0) empty = false;
      const text = decoder.decode(chunk, { stream: true });
      if (!out.json) {
        // The app's own bytes: raw into a pipe or a file, shown safely on a terminal (colours pass).
        process.stdout.write(process.stdout.isTTY ? terminalSafe(text) : text);
        continue;
      }
      const parts = (partial + text).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) out.jsonLine({ app, release, line });
    }
    if (out.json && partial) out.jsonLine({ app, release, line: partial });
    // Say so rather than print nothing: a deploy stopped before its build or start has no log.
    if (empty && !out.json && flags.lines > 0) out.warn(`${app} ${release}: the log is empty`);
  });
}
