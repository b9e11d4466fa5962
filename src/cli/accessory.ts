import type { Command } from "commander";
import type { AccessoriesView } from "../agent/routes/accessories.js";
import type { AccessoryStatus } from "../containers/accessories.js";
import { UsageError } from "../errors.js";
import { AgentClient } from "./client.js";
import { type AppOptions, wholeNumber, withApp } from "./options.js";
import { Output } from "./output.js";
import { targetApp } from "./target-app.js";
import { terminalSafe } from "./terminal-text.js";

interface AccessoryFlags extends AppOptions {
  env: string;
  follow?: boolean;
  lines: number;
}

const ACTIONS = ["start", "stop", "status", "logs"] as const;
type Action = (typeof ACTIONS)[number];

/** `skiff accessory start|stop|status|logs [NAME]`: the app's accessories (a database, a cache) on the agent. */
export function register(program: Command): void {
  withApp(
    program
      .command("accessory")
      .description(
        "start, stop, show or follow the app's accessories (skiff.yml's accessories:); a deploy never restarts them",
      )
      .argument("<action>", "start | stop | status | logs")
      .argument("[name]", "the accessory, like db (status: all when omitted)")
      .option("--env <name>", "the environment", "production")
      .option("-f, --follow", "logs: keep printing new lines until interrupted")
      .option("-n, --lines <n>", "logs: how many lines from the end", wholeNumber("--lines", 0), 100),
  ).action(async (action: string, name: string | undefined, flags: AccessoryFlags) => {
    if (!ACTIONS.includes(action as Action)) {
      throw new UsageError(`accessory ${action}: expected one of ${ACTIONS.join(", ")}`);
    }
    if (action !== "status" && !name)
      throw new UsageError(`accessory ${action}: name the accessory, like db`);
    const out = new Output({ json: flags.json });
    const app = await targetApp(flags.app);
    const client = AgentClient.from(flags);
    const base = `/v1/apps/${app}/accessories`;
    const env = new URLSearchParams({ env: flags.env });
    if (action === "logs") {
      env.set("tail", String(flags.lines));
      if (flags.follow) env.set("follow", "1");
      const res = await client.send("GET", `${base}/${name}/logs?${env}`);
      const decoder = new TextDecoder();
      for await (const chunk of res as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        process.stdout.write(process.stdout.isTTY ? terminalSafe(text) : text);
      }
      return;
    }
    if (action === "status") {
      const view = await client.json<AccessoriesView>("GET", `${base}?${env}`);
      const shown = name ? view.accessories.filter((a) => a.name === name) : view.accessories;
      if (name && shown.length === 0) throw new UsageError(`${app} has no accessory ${name}`);
      out.result({ ...view, accessories: shown });
      if (shown.length === 0) out.line(`${app} (${flags.env}) has no accessories`);
      else out.table(["NAME", "STATE", "HEALTH", "ADDRESS", "CONTAINER", "SINCE"], shown.map(row));
      return;
    }
    const body = await client.json<AccessoryStatus | { outcome: string; status: AccessoryStatus }>(
      "POST",
      `${base}/${name}/${action}?${env}`,
    );
    out.result(body);
    const status = "status" in body ? body.status : body;
    out.line(
      `${name}: ${"outcome" in body ? body.outcome : status.state}${status.hostPort ? ` on 127.0.0.1:${status.hostPort}` : ""}`,
    );
  });
}

function row(a: AccessoryStatus): string[] {
  return [
    a.name,
    a.state,
    a.health ?? "-",
    a.hostPort ? `127.0.0.1:${a.hostPort}` : "-",
    a.containerId?.slice(0, 12) ?? "-",
    a.startedAt ?? "-",
  ];
}
