import { createServer } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { listen, useCleanups } from "../test-support/proxy.js";
import type { ResponseHead } from "./http1/head.js";
import type { UpstreamConnection, UpstreamRequest } from "./upstream-connection.js";
import { UpstreamPool } from "./upstream-pool.js";

const cleanups = useCleanups();
afterEach(() => {
  vi.useRealTimers();
});

/** A request as the proxy would send it, collecting the answer. */
class TestRequest implements UpstreamRequest {
  readonly method = "GET";
  readonly upgrade = false;
  cancelled = false;
  status = 0;
  body = "";
  error: Error | undefined;
  wasReclaimed = false;
  readonly finished: Promise<void>;
  private settle!: () => void;

  /** `stalled`: behave as a request whose client stopped reading, from the moment it is sent. */
  constructor(
    private readonly path: string,
    private readonly stalled = false,
  ) {
    this.finished = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  attached(connection: UpstreamConnection): void {
    connection.write(`GET ${this.path} HTTP/1.1\r\nhost: test\r\n\r\n`);
    if (this.stalled) connection.pause();
  }
  switched(): void {
    throw new Error("not an upgrade");
  }
  reclaimed(): void {
    this.wasReclaimed = true;
    this.settle();
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

/**
 * A Node app counting the connections and requests it accepted; `keepAliveMs` is what it announces and
 * enforces. `delayMs` delays every answer; `/held` ones wait for `release()`.
 */
async function countingApp(keepAliveMs = 5_000, delayMs = 0, maxConnections = 2) {
  const seen = { connections: 0, requests: 0 };
  const held: Array<() => void> = [];
  const server = createServer((req, res) => {
    seen.requests++;
    const answer = () => res.end(`answer to ${req.url}`);
    if (req.url === "/held") held.push(answer);
    else setTimeout(answer, delayMs);
  });
  server.keepAliveTimeout = keepAliveMs;
  server.on("connection", () => seen.connections++);
  const port = await listen(cleanups, server);
  const pool = new UpstreamPool("127.0.0.1", port, maxConnections);
  cleanups.push(() => pool.destroy());
  const release = () => {
    for (const answer of held.splice(0)) answer();
  };
  return { seen, pool, release };
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
    // Only the pool's clock is fake (and stands still unless moved): the app would close an idle
    // connection at 2 s, the pool stops using it at 1 s.
    vi.useFakeTimers({ toFake: ["Date"] });
    const { seen, pool } = await countingApp(2_000);
    await send(pool, "/a");
    await send(pool, "/b");
    expect(seen.connections).toBe(1);
    vi.setSystemTime(Date.now() + 999);
    await send(pool, "/c");
    expect(seen.connections).toBe(1);
    vi.setSystemTime(Date.now() + 1_001);
    expect((await send(pool, "/d")).body).toBe("answer to /d");
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
    const { pool, seen, release } = await countingApp();
    const busy = [new TestRequest("/held"), new TestRequest("/held")];
    const waiting = new TestRequest("/3");
    for (const request of [...busy, waiting]) pool.dispatch(request);
    await vi.waitFor(() => expect(seen.requests).toBe(2));
    const closed = pool.close();
    expect(waiting.error?.message).toMatch(/retired/);
    release();
    await closed;
    expect(busy.map((r) => r.body)).toEqual(["answer to /held", "answer to /held"]);
    expect(pool.size).toBe(0);
  });

  it("does not count connections whose clients stall toward the cap: a normal request still gets one", async () => {
    const { pool, seen } = await countingApp();
    const stalled = [new TestRequest("/held", true), new TestRequest("/held", true)];
    for (const request of stalled) pool.dispatch(request);
    await vi.waitFor(() => expect(seen.requests).toBe(2));
    const normal = await send(pool, "/normal");
    expect(normal.body).toBe("answer to /normal");
    expect(seen.connections).toBe(3);
    expect(pool.stats()).toMatchObject({ max: 2, stalled: 2, waited: 0, reclaimed: 0 });
  });

  it("takes back the connection stalled longest once stalled ones reach 4× the cap", async () => {
    const { pool, seen } = await countingApp(5_000, 0, 1);
    const stalled = Array.from({ length: 4 }, () => new TestRequest("/held", true));
    for (const request of stalled) pool.dispatch(request);
    await vi.waitFor(() => expect(seen.requests).toBe(4));
    const normal = await send(pool, "/normal");
    expect(normal.body).toBe("answer to /normal");
    expect(stalled.map((r) => r.wasReclaimed)).toEqual([true, false, false, false]);
    expect(pool.stats()).toMatchObject({ open: 4, stalled: 3, reclaimed: 1 });
  });

  it("lets a request wait while the app's connections are all working, and counts it", async () => {
    const { pool, seen, release } = await countingApp(5_000, 0, 1);
    const working = new TestRequest("/held");
    pool.dispatch(working);
    await vi.waitFor(() => expect(seen.requests).toBe(1));
    const next = new TestRequest("/next");
    pool.dispatch(next);
    expect(pool.stats()).toMatchObject({ waiting: 1, waited: 1 });
    release();
    await next.finished;
    expect([working.body, next.body]).toEqual(["answer to /held", "answer to /next"]);
    expect(seen.connections).toBe(1);
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
