import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { DashboardCommandResult } from "../src/cli/dashboard.js";
import type { LoginLinkResponse } from "../src/dashboard/dashboard.js";
import { deploy, useAgents, version } from "./support/agent.js";
import { screenshots, skipBrowser, useBrowser } from "./support/browser.js";
import { runSkiff } from "./support/cli.js";
import { createAppRepo, setBehaviour } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

// A real agent, a real app, Debian's chromium: what a person at 2 a.m. would do, click by click.
const tempDir = useTempDirs();
const startAgent = useAgents();
const browser = useBrowser();

/** A monitor that can never pass (nothing listens on port 1), so an incident opens within a second or two. */
const CONFIG = `status_page: true
monitors:
  - name: database
    tcp: 127.0.0.1:1
    interval: 1s
    timeout: 500ms
    failure_threshold: 1
`;

/** The release ids of the timeline's rows, top to bottom, with their status. */
async function timelineRows(page: Page): Promise<string[]> {
  return page.$$eval("table.timeline tbody tr", (rows) =>
    rows.map((row) => `${row.getAttribute("data-release")}:${row.getAttribute("data-status")}`),
  );
}

describe.skipIf(skipBrowser)("the dashboard in a browser", () => {
  it("logs in with a one-time link, rolls back with a click and a confirmation, acknowledges an incident", async () => {
    const { agent, info, client, proxy } = await startAgent(tempDir());
    const repo = createAppRepo(join(tempDir(), "app"), "hello", { version: "v1" }, CONFIG);
    await deploy(client, repo);
    setBehaviour(repo, { version: "v2" }, "feat: the second version");
    await deploy(client, repo);
    expect(await version(proxy)).toBe("v2");

    // `skiff dashboard` as a person runs it, without a display: it prints the one-time link.
    const cli = await runSkiff(["dashboard", "--json", "--agent", info.api, "--token", agent.token]);
    expect(cli.code).toBe(0);
    const link = JSON.parse(cli.stdout) as DashboardCommandResult;
    expect(link).toMatchObject({ url: `${info.api}/dashboard`, opened: false });

    const context = await browser();
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto(link.loginUrl);
    await page.waitForURL(`${info.api}/dashboard`);
    const card = page.locator('li.deployment[data-app="hello"]');
    expect(await card.locator(".live-release").innerText()).toContain("v0.1.1 · r2");
    await screenshots(page, "overview");

    // The app: r2 live, r1 in the timeline with a rollback button.
    await card.getByRole("link", { name: "hello" }).click();
    await page.waitForSelector('[data-live-release="r2"]');
    expect(await timelineRows(page)).toEqual(["r2:live", "r1:superseded"]);
    await page.waitForSelector('[data-live-events][data-state="open"]');
    await screenshots(page, "app");

    await page.locator('tr[data-release="r1"]').getByRole("link", { name: "Roll back…" }).click();
    await page.getByRole("heading", { name: "Roll back hello?" }).waitFor();
    await screenshots(page, "confirm-rollback");
    await page.getByRole("button", { name: "Roll back to r1" }).click();

    // The new release is live, the timeline says so, and the proxy serves the old version again.
    await page.waitForSelector('[data-live-release="r3"]');
    expect(await page.locator(".notice.ok").innerText()).toContain("r3 is live: rolled back from r2 to r1");
    expect(await timelineRows(page)).toEqual(["r3:live", "r2:rolled-back", "r1:superseded"]);
    expect(await version(proxy)).toBe("v1");
    const recorded = await client.json<{ releases: Array<{ id: string; deployedBy: string }> }>(
      "GET",
      "/v1/apps/hello/releases",
    );
    expect(recorded.releases[0]).toMatchObject({ id: "r3", deployedBy: "dashboard" });

    // An incident opens on the monitor; a person acknowledges it.
    await page.goto(`${info.api}/dashboard/incidents`);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator("tr[data-incident]").count();
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    await page.locator("tr[data-incident]").first().getByRole("button", { name: "Acknowledge" }).click();
    await page.locator("tr[data-incident] .badge", { hasText: "acknowledged" }).first().waitFor();
    await screenshots(page, "incidents");

    await page.goto(`${info.api}/dashboard/apps/hello/releases/r2`);
    await page.getByRole("heading", { name: "Steps" }).waitFor();
    expect(await page.locator("ol.steps li").allInnerTexts()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^healthy/), expect.stringMatching(/^switched/)]),
    );
    await screenshots(page, "release");

    await page.goto(`${info.api}/dashboard/metrics?app=hello&days=7`);
    await page.waitForSelector(".uplot");
    await screenshots(page, "delivery");

    // The public status page: the monitor's name and state, none of its internals.
    await context.clearCookies();
    await page.goto(`${info.api}/status/hello`);
    const status = await page.locator("main").innerText();
    expect(status).toContain("database");
    expect(status).not.toContain("127.0.0.1:1");
    expect(status).not.toContain("r3");
    await screenshots(page, "status-page");

    // Logged out, the dashboard sends a person to the login form.
    await page.goto(`${info.api}/dashboard/apps/hello`);
    await page.waitForURL(/\/dashboard\/login\?next=/);
    await screenshots(page, "login");
    await page.close();
  });

  it("shows a deploy's steps while it runs, and a release's log as it is written", async () => {
    const { agent, info, client } = await startAgent(tempDir());
    const repo = createAppRepo(join(tempDir(), "app"), "hello", { version: "v1" });
    await deploy(client, repo);
    const { path } = await client.json<LoginLinkResponse>("POST", "/v1/dashboard/links");

    const context = await browser();
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto(`${info.api}${path}&next=${encodeURIComponent("/dashboard/apps/hello")}`);
    await page.waitForSelector('[data-live-events][data-state="open"]');

    // A deploy whose app takes 3 s to listen: its health gate is still waiting when "started" shows.
    setBehaviour(repo, { version: "v2", listenDelayMs: 3000 });
    let finished = false;
    const deploying = deploy(client, repo).then((result) => {
      finished = true;
      return result;
    });
    await page.waitForSelector('.live-steps li[data-step="started"]');
    expect(finished).toBe(false);
    await screenshots(page, "app-deploying");
    await page.waitForSelector('.live-steps li[data-step="finished"]');
    expect((await deploying).result.ok).toBe(true);
    // The timeline updates without a reload.
    await page.waitForSelector('table.timeline tr[data-release="r2"][data-status="live"]');
    expect(
      await page
        .locator(".live-steps li")
        .evaluateAll((items) => items.map((i) => i.getAttribute("data-step"))),
    ).toEqual(
      expect.arrayContaining([
        "received",
        "unpacked",
        "started",
        "healthy",
        "switched",
        "drained",
        "finished",
      ]),
    );

    await page.goto(`${info.api}/dashboard/apps/hello/logs`);
    await page.waitForSelector('pre[data-live-log][data-state="open"]');
    expect(await page.locator("pre.log").innerText()).toContain("app v2 starting");
    appendFileSync(agent.dataDir.logFile("hello", "r2"), "a line written while the page watches\n");
    await page.locator("pre.log", { hasText: "a line written while the page watches" }).waitFor();
    await screenshots(page, "logs");
    await page.close();
  });
});
