import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { generate } from "selfsigned";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Agent } from "../src/agent/agent.js";
import type { BackupNowResponse, BackupsResponse } from "../src/backups/api-types.js";
import { AgentClient } from "../src/cli/client.js";
import type { LoginLinkResponse } from "../src/dashboard/dashboard.js";
import { freePort } from "../src/runtime/ports.js";
import { CertStore } from "../src/tls/cert-store.js";
import { readCertificate } from "../src/tls/certificate.js";
import type { CertsResponse } from "../src/tls/certs-api.js";
import { deploy } from "./support/agent.js";
import { screenshots, skipBrowser, useBrowser } from "./support/browser.js";
import { createAppRepo } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

// The Backups and Certificates panels of an app's page against a real agent: real backups of a real
// SQLite database, certificates as the agent's certificate manager holds them.
const tempDir = useTempDirs();
const agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});
const browser = useBrowser();

const APP = "notes";
/** `db` exists (seeded below); `missing` does not, so each of its backups fails. */
const BACKUPS = `backups:
  - sqlite: data/app.db
  - name: missing
    sqlite: data/missing.db
    schedule: weekly
`;

async function start(dataDir: string, tls?: ConstructorParameters<typeof Agent>[0]["tls"]) {
  const agent = new Agent({
    // Like test/support/agent.ts: no system users for test apps.
    isolation: "off",
    dataDir,
    listen: { host: "127.0.0.1", port: 0 },
    api: { host: "127.0.0.1", port: 0 },
    logger: pino({ level: process.env.SKIFF_TEST_LOG ?? "silent" }),
    ...(tls ? { tls } : {}),
  });
  agents.push(agent);
  const info = await agent.start();
  return { agent, info, client: new AgentClient(info.api, agent.token) };
}

/** The app's SQLite database where `sqlite: data/app.db` finds it. */
function seed(dataDir: string, rows: number): void {
  const dir = join(dataDir, "storage", APP, "production", "data");
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, "app.db"));
  db.exec("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT)");
  const insert = db.prepare("INSERT INTO notes (text) VALUES (?)");
  for (let i = 0; i < rows; i++) insert.run(`note ${i}`);
  db.close();
}

/** GET a dashboard page with a session from a one-time link, as plain HTTP. */
async function page(api: string, client: AgentClient, path: string): Promise<string> {
  const { path: link } = await client.json<LoginLinkResponse>("POST", "/v1/dashboard/links");
  const login = await fetch(`${api}${link}`, { redirect: "manual" });
  const session = login.headers
    .getSetCookie()
    .find((c) => c.startsWith("skiff_session="))!
    .split(";")[0]!;
  const res = await fetch(`${api}${path}`, { headers: { cookie: session } });
  expect(res.status).toBe(200);
  return res.text();
}

/** The HTML of the first element `<tag …>` with attr="value", to its matching end tag. */
function element(html: string, tag: string, attr: string, value: string): string {
  const at = html.indexOf(`${attr}="${value}"`);
  expect(at, `${attr}="${value}" in the page`).toBeGreaterThan(-1);
  const open = html.lastIndexOf(`<${tag}`, at);
  const tags = new RegExp(`<${tag}[\\s>]|</${tag}>`, "g");
  tags.lastIndex = open;
  let depth = 0;
  for (let m = tags.exec(html); m; m = tags.exec(html)) {
    depth += m[0].startsWith("</") ? -1 : 1;
    if (depth === 0) return html.slice(open, m.index + m[0].length);
  }
  throw new Error(`<${tag} ${attr}="${value}"> is not closed`);
}

const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&#39;/g, "'");

describe("the Backups and Certificates panels on a real agent", () => {
  it("show each database's real backups, its failure loudly, the restore command, and that HTTPS is off", async () => {
    const dataDir = tempDir();
    const { agent, info, client } = await start(dataDir);
    await deploy(client, createAppRepo(join(tempDir(), "repo"), APP, {}, BACKUPS));
    seed(dataDir, 25);
    const taken = await client.json<BackupNowResponse>("POST", `/v1/apps/${APP}/backups`, {});
    const [good, failed] = taken.backups;
    expect(good).toMatchObject({ id: "b1", name: "db", status: "good" });
    expect(failed).toMatchObject({ id: "b2", name: "missing", status: "failed" });

    const html = await page(info.api, client, `/dashboard/apps/${APP}`);
    const db = element(html, "div", "data-database", "db");
    const row = element(db, "tr", "data-backup", "b1");
    expect(row).toContain('data-status="good"');
    expect(text(row)).toContain(
      good!.bytes! < 1024 ? `${good!.bytes} B` : `${(good!.bytes! / 1024).toFixed(1)} KB`,
    );
    expect(text(row)).toContain(good!.locations[0]);
    expect(text(row)).toMatch(/yes/);
    expect(text(db)).toContain("skiff restore b1 --app notes");
    expect(text(db)).toMatch(/Schedule\s*daily · next run in /);
    expect(text(db)).not.toMatch(/FAILED/);

    const missing = element(html, "div", "data-database", "missing");
    expect(missing).toContain('class="notice bad big alarm"');
    expect(text(missing)).toContain(`The last backup of missing FAILED (b2,`);
    expect(text(missing)).toContain(failed!.error!);
    expect(text(missing)).toContain("there is no good backup yet");
    expect(text(missing)).not.toContain("skiff restore");

    const certs = element(html, "section", "id", "certificates");
    expect(text(certs)).toContain("HTTPS is off on this agent");
    expect(text(certs)).toContain("skiff agent --tls-listen 0.0.0.0:443 --acme-email …");
    expect(html).not.toContain(agent.token);
  });

  it("show each host's certificate as the agent's certificate manager holds it: one stored, one failing", async () => {
    const dataDir = tempDir();
    // A certificate stored the way the agent stores what it obtained: DATA_DIR/certs/<host>.pem and .json.
    const pems = await generate([{ name: "commonName", value: "Skiff Test CA" }], {
      keyType: "ec",
      curve: "P-256",
      notAfterDate: new Date(Date.now() + 60 * 86_400_000),
      extensions: [{ name: "subjectAltName", altNames: [{ type: 2 as const, value: "notes.test" }] }],
    });
    const store = new CertStore(join(dataDir, "certs"));
    const stored = readCertificate(pems.cert, pems.private);
    store.save("notes.test", stored);
    const obtainedAt = Date.now() - 86_400_000;
    store.saveRecord("notes.test", { obtainedAt, lastAttempt: { at: obtainedAt, ok: true }, failures: 0 });
    // An ACME directory nobody listens on: the host without a certificate fails its order for real.
    const closed = await freePort();
    const { agent, info, client } = await start(dataDir, {
      listen: { host: "127.0.0.1", port: 0 },
      acme: { directoryUrl: `http://127.0.0.1:${closed}/directory`, email: "ops@example.com" },
    });
    await deploy(client, createAppRepo(join(tempDir(), "repo"), APP, {}, "host: [notes.test, new.test]\n"));
    const certs = await vi.waitFor(
      async () => {
        const view = await client.json<CertsResponse>("GET", "/v1/certs");
        expect(view.certificates.find((c) => c.host === "new.test")?.lastAttempt?.ok).toBe(false);
        return view;
      },
      { timeout: 20_000, interval: 100 },
    );
    const failing = certs.certificates.find((c) => c.host === "new.test")!;

    const html = await page(info.api, client, `/dashboard/apps/${APP}`);
    const issued = element(html, "tr", "data-host", "notes.test");
    expect(issued).toContain('data-state="issued"');
    expect(text(issued)).toContain("Skiff Test CA");
    const days = Math.floor((stored.info.notAfter - Date.now()) / 86_400_000);
    expect(text(issued)).toMatch(
      new RegExp(
        `${new Date(stored.info.notAfter).toISOString().slice(0, 10)}\\s*\\((${days}|${days - 1}) days left\\)`,
      ),
    );
    expect(text(issued)).toContain("yes, HTTP redirects");
    const failed = element(html, "tr", "data-host", "new.test");
    expect(failed).toContain('data-state="failed"');
    expect(text(failed)).toContain(failing.lastAttempt!.error!);
    expect(text(failed)).toMatch(/failed1 failure in a row|failed\s*\d+ failures? in a row/);
    expect(text(failed)).toMatch(/HTTPS only|no$/);
    expect(html).not.toContain("BEGIN");
    expect(html).not.toContain(agent.token);
  });
});

describe.skipIf(skipBrowser)("the Backups panel in a browser", () => {
  it("backs up now with a click and a confirmation, and shows the new row", async () => {
    const dataDir = tempDir();
    const { info, client } = await start(dataDir);
    await deploy(client, createAppRepo(join(tempDir(), "repo"), APP, {}, BACKUPS));
    seed(dataDir, 10);

    const { path } = await client.json<LoginLinkResponse>("POST", "/v1/dashboard/links");
    const context = await browser();
    await context.clearCookies();
    const tab = await context.newPage();
    await tab.goto(`${info.api}${path}&next=${encodeURIComponent(`/dashboard/apps/${APP}`)}`);
    const db = tab.locator('[data-database="db"]');
    await db.getByText("No backups of db yet.").waitFor();
    await screenshots(tab, "backups-empty");

    // Keyboard: focus the button and press Enter, as a person without a mouse would.
    await db.getByRole("link", { name: "Back up now (db)…" }).focus();
    await tab.keyboard.press("Enter");
    await tab.getByRole("heading", { name: "Back up db of notes?" }).waitFor();
    await screenshots(tab, "confirm-backup");
    await tab.getByRole("button", { name: "Back up db now" }).click();

    await db.locator('tr[data-backup="b1"][data-status="good"]').waitFor();
    expect(await tab.locator("#backups .notice.ok").innerText()).toMatch(/^b1 of db is taken and verified/);
    expect(await db.locator(".command").innerText()).toBe("skiff restore b1 --app notes");
    const { backups } = await client.json<BackupsResponse>("GET", `/v1/backups?app=${APP}`);
    expect(backups.map((b) => [b.id, b.name, b.trigger, b.status])).toEqual([["b1", "db", "manual", "good"]]);

    // A database that cannot be backed up: the failure is said at the top of its block, not in a cell.
    await tab
      .locator('[data-database="missing"]')
      .getByRole("link", { name: "Back up now (missing)…" })
      .click();
    await tab.getByRole("button", { name: "Back up missing now" }).click();
    const alarm = tab.locator('[data-database="missing"] .alarm[role="alert"]');
    await alarm.waitFor();
    expect(await alarm.innerText()).toMatch(
      /^The last backup of missing FAILED \(b2, .*there is no SQLite database/,
    );
    expect(await tab.locator('#backups .notice.bad[role="alert"]').first().innerText()).toMatch(
      /^b2 of missing failed: /,
    );
    await screenshots(tab, "backups");
    await tab.close();
  });
});
