import type { Command } from "commander";
import type { LoginLinkResponse } from "../dashboard/dashboard.js";
import { openInBrowser } from "./browser.js";
import { AgentClient } from "./client.js";
import { type AgentOptions, withAgent } from "./options.js";
import { formatTime, Output } from "./output.js";

/** `skiff dashboard --json` (docs/cli.md). */
export interface DashboardCommandResult {
  url: string;
  loginUrl: string;
  expiresAt: string;
  opened: boolean;
}

export function register(program: Command): void {
  withAgent(
    program
      .command("dashboard")
      .description("the dashboard's address, and a one-time login link opened in your browser")
      .option("--no-open", "print the login link instead of opening a browser"),
  ).action(async (flags: AgentOptions & { open: boolean }) => {
    const out = new Output({ json: flags.json });
    const client = AgentClient.from(flags);
    const link = await client.json<LoginLinkResponse>("POST", "/v1/dashboard/links");
    // The link is made from the address this CLI reaches the agent at (a tunnel, a proxy), not the
    // agent's own idea of its address: that is where this person's browser can reach it too.
    const loginUrl = `${client.url}${link.path}`;
    const opened = flags.open && !flags.json ? await openInBrowser(loginUrl) : false;
    const result: DashboardCommandResult = {
      url: `${client.url}/dashboard`,
      loginUrl,
      expiresAt: link.expiresAt,
      opened,
    };
    out.result(result);
    out.line(`Dashboard: ${result.url}`);
    if (opened) {
      out.line(
        `Opened a one-time login link in your browser (works once, until ${formatTime(link.expiresAt)}).`,
      );
    } else {
      out.line(`One-time login link (works once, until ${formatTime(link.expiresAt)}):`);
      out.line(`  ${loginUrl}`);
    }
  });
}
