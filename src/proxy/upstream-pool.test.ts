import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { listen, useCleanups } from "../test-support/proxy.js";
import type { ResponseHead } from "./http1/head.js";
import type { UpstreamConnection, UpstreamRequest } from "./upstream-connection.js";
import { UpstreamPool } from "./upstream-pool.js";

const cleanups = useCleanups();

/** A request as the proxy would send it, collecting the answer. */
class TestRequest implements UpstreamRequest {
  readonly method = "GET";
  cancelled = false;
  status = 0;
  body = "";
  error: Error | undefined;
  readonly finished: Promise<void>;
  private settle!: () => void;

  constructor(private readonly path: string) {
    this.finished = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  attached(connection: UpstreamConnection): void {
    connection.write(`GET ${this.path} HTTP/1.1\r\nhost: test\r\n\r\n`);
  }
  informational(): void {}
  head(head: ResponseHead): void {
    this.status = head.status;
  }
  data(chunk: Buffer): void {
    this.body += chunk.toString();
  }
  end(): void {
    this.settle();
  }
  failed(error: Error): void {
    this.error = error;
    this.settle();
  }
}

/** A Node app counting the connections it accepted; `keepAliveMs` is what it announces and enforces. */
async function countingApp(keepAliveMs = 5_000, delayMs = 0) {
  const seen = { connections: 0 };
  const server = createServer((req, res) => {
    setTimeout(() => res.end(`answer to ${req.url}`), delayMs);
  });
  server.keepAliveTimeout = keepAliveMs;
  server.on("connection", () => seen.connections++);
  const port = await listen(cleanups, server);
  const pool = new UpstreamPool("127.0.0.1", port, 2);
  cleanups.push(() => pool.destroy());
  return { seen, pool };
}

async function send(pool: UpstreamPool, path: string): Promise<TestRequest> {
  const request = new TestRequest(path);
  pool.dispatch(request);
  await request.finished;
  return request;
}

describe("UpstreamPool", () => {
  it("reuses one keep-alive connection for a Node app announcing Keep-Alive: timeout=5", async () => {
    const { seen, pool } = await countingApp();
    for (let i = 0; i < 20; i++) {
      const answer = await send(pool, `/${i}`);
      expect(answer).toMatchObject({ status: 200, body: `answer to /${i}`, error: undefined });
    }
    expect(seen.connections).toBe(1);
  });

  it("stops reusing a connection a second before the app's announced keep-alive timeout", async () => {
    const { seen, pool } = await countingApp(2_000);
    await send(pool, "/a");
    await send(pool, "/b");
    expect(seen.connections).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await send(pool, "/c")).body).toBe("answer to /c");
    expect(seen.connections).toBe(2);
  });

  it("opens at most its cap of connections; the other requests wait their turn", async () => {
    const { seen, pool } = await countingApp(5_000, 50);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => send(pool, `/${i}`)));
    expect(answers.map((a) => a.body)).toEqual(Array.from({ length: 6 }, (_, i) => `answer to /${i}`));
    expect(seen.connections).toBe(2);
    expect(pool.size).toBe(2);
  });

  it("skips a waiting request whose client went away", async () => {
    const { pool } = await countingApp(5_000, 50);
    const first = [new TestRequest("/1"), new TestRequest("/2")];
    const gone = new TestRequest("/gone");
    const last = new TestRequest("/last");
    for (const request of [...first, gone, last]) pool.dispatch(request);
    gone.cancelled = true;
    await last.finished;
    expect(last.body).toBe("answer to /last");
    expect(gone.status).toBe(0);
  });

  it("on close, lets busy connections finish, fails waiting requests, and resolves once all are closed", async () => {
    const { pool } = await countingApp(5_000, 100);
    const busy = [new TestRequest("/1"), new TestRequest("/2")];
    const waiting = new TestRequest("/3");
    for (const request of [...busy, waiting]) pool.dispatch(request);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await pool.close();
    expect(busy.map((r) => r.body)).toEqual(["answer to /1", "answer to /2"]);
    expect(waiting.error?.message).toMatch(/retired/);
    expect(pool.size).toBe(0);
  });
});

describe("UpstreamPool after close", () => {
  it("turns a new request away at once instead of queueing it forever", async () => {
    const { pool } = await countingApp();
    await pool.close();
    const late = new TestRequest("/late");
    pool.dispatch(late);
    await late.finished;
    expect(late.error?.message).toMatch(/retired/);
  });
});
