import type { Command } from "commander";
import type { InstanceView, StatusView } from "../agent/api-types.js";
import { deploymentLabel } from "../environments/names.js";
import { AgentClient } from "./client.js";
import { type AgentOptions, withAgent } from "./options.js";
import { formatBytes, formatDuration, formatTime, Output, plural } from "./output.js";

export function register(program: Command): void {
  withAgent(
    program
      .command("status")
      .description("apps, their live release, and every instance with pid, port and health"),
  ).action(async (flags: AgentOptions) => {
    const out = new Output({ json: flags.json });
    const status = await AgentClient.from(flags).json<StatusView>("GET", "/v1/status");
    out.result(status);
    const { agent } = status;
    out.line(
      `agent ${agent.version} (pid ${agent.pid}), started ${agent.startedAt}, up ${formatDuration(agent.uptimeMs)}, proxy ${agent.proxy}`,
    );
    out.line(`app isolation ${agent.isolation.reason}`);
    if (status.apps.length === 0) out.line("no apps yet: run `skiff deploy` in an app's directory");
    for (const app of status.apps) {
      out.line();
      const live = app.live;
      const where = app.hosts.length > 0 ? app.hosts.join(", ") : "default route";
      out.line(
        `${out.paint("bold", deploymentLabel(app.app, app.env))}  ${where}  ${
          live
            ? `live: ${live.id}${live.commit ? ` (${live.commit.sha.slice(0, 7)})` : ""} since ${formatTime(live.liveAt)}`
            : out.paint("yellow", "no live release")
        }`,
      );
      if (app.deploying)
        out.line(
          `  running: ${app.deploying.operation} by ${app.deploying.who} since ${formatTime(app.deploying.since)}`,
        );
      if (app.traffic) {
        out.line(
          `  traffic: ${plural(app.traffic.requests, "request")}, ${app.traffic.errors5xx} 5xx, ${app.traffic.inflight} in flight`,
        );
      }
      if (app.user) out.line(`  runs as: ${app.user}`);
      if (app.storage) out.line(`  storage: ${formatBytes(app.storage.bytes)} in ${app.storage.dir}`);
      if (app.image) out.line(`  image: ${app.image.repoDigest ?? app.image.id}`);
      for (const a of app.accessories ?? []) {
        const where = a.hostPort ? ` on 127.0.0.1:${a.hostPort}` : "";
        const health = a.health ? `, ${a.health}` : "";
        const container = a.containerId ? `, container ${a.containerId.slice(0, 12)}` : "";
        out.line(`  accessory ${a.name}: ${a.state}${health}${where}${container}`);
      }
      instanceTable(out, app.instances);
      for (const warm of app.warm) {
        const web = warm.instances.filter((i) => i.process === "web" && i.state !== "stopped").length;
        out.line(`  warm: ${warm.release} until ${formatTime(warm.until)} (${plural(web, "web instance")})`);
      }
    }
  });
}

/** One row per instance, web first then each other type: `web.0`, `worker.1`. */
function instanceTable(out: Output, instances: InstanceView[]): void {
  if (instances.length === 0) return;
  const containers = instances.some((i) => i.container);
  out.table(
    [
      "  PROCESS",
      "PID",
      ...(containers ? ["CONTAINER"] : []),
      "PORT",
      "STATE",
      "HEALTH",
      "RESTARTS",
      "UPTIME",
    ],
    instances.map((i) => [
      `  ${i.process}.${i.index}`,
      String(i.pid ?? "-"),
      ...(containers ? [i.container ?? "-"] : []),
      String(i.port ?? "-"),
      i.state,
      i.healthy ? out.paint("green", "healthy") : out.paint("red", "unhealthy"),
      String(i.restarts),
      i.uptimeMs === null ? "-" : formatDuration(i.uptimeMs),
    ]),
  );
}
