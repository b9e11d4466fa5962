import { spawn } from "node:child_process";

/**
 * How to open a URL in the person's browser, or undefined where there is no display to open it on
 * (an SSH session, a CI runner): then the caller prints the URL instead. Pure, so it is tested by table.
 */
export function browserCommand(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): { command: string; args: string[] } | undefined {
  if (env.SKIFF_NO_BROWSER) return undefined;
  if (platform === "darwin") return env.SSH_CONNECTION ? undefined : { command: "open", args: [] };
  if (platform === "win32") return { command: "cmd", args: ["/c", "start", '""'] };
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return { command: "xdg-open", args: [] };
  return undefined;
}

/** Starts the browser without waiting for it; resolves to whether it could be started at all. */
export function openInBrowser(url: string, platform = process.platform, env = process.env): Promise<boolean> {
  const how = browserCommand(platform, env);
  if (!how) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(how.command, [...how.args, url], { detached: true, stdio: "ignore" });
    child.once("error", () => resolve(false));
    child.once("spawn", () => {
      child.unref();
      resolve(true);
    });
  });
}
