import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

const SCRIPT = new URL("../../../../bench/support/socket-holder.py", import.meta.url);
const SCRIPT_FROM_SOURCE = new URL("./socket-holder.py", import.meta.url);

/** Drives socket-holder.py (systemd's socket activation, simulated): see that file. */
export class SocketHolder {
  private readonly child: ChildProcess;
  private readonly lines: AsyncIterator<string>;

  private constructor(child: ChildProcess) {
    this.child = child;
    this.lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  }

  /** `log`: where the agents' output goes. */
  static async start(
    log: string,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<{ holder: SocketHolder; proxy: number; api: number }> {
    const script = import.meta.url.includes("/dist/bench/") ? SCRIPT : SCRIPT_FROM_SOURCE;
    const child = spawn("python3", [script.pathname], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...env, HOLDER_LOG: log },
    });
    const holder = new SocketHolder(child);
    const ports = JSON.parse(await holder.answer()) as { proxy: number; api: number };
    return { holder, ...ports };
  }

  /** Starts the agent (`args`: the command line) on the held sockets; resolves to its pid. */
  async run(args: string[]): Promise<number> {
    this.child.stdin!.write(`start ${args.join(" ")}\n`);
    return Number(await this.answer());
  }

  /** SIGTERM (stop) or SIGKILL (kill) to the agent; resolves once it exited. */
  async signal(how: "stop" | "kill"): Promise<void> {
    this.child.stdin!.write(`${how}\n`);
    await this.answer();
  }

  /** Stops the agent, if one runs, and the holder (the sockets close with it). */
  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin!.end();
    await exited;
  }

  private async answer(): Promise<string> {
    const next = await this.lines.next();
    if (next.done) throw new Error("the socket holder exited");
    return next.value;
  }
}
