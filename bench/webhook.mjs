// npm run bench:webhook — how fast the webhook route answers, and how pushes coalesce.
// Everything runs on 127.0.0.1 in this process, bounded in count and time; it stops by itself.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { parseAppConfig } from "../dist/config/load.js";
import { DeliveryMemory } from "../dist/webhooks/deliveries.js";
import { handleWebhook, queueKeyOf } from "../dist/webhooks/handler.js";
import { CoalescingQueue } from "../dist/webhooks/queue.js";
import { webhookAppFor, webhookRoutes } from "../dist/webhooks/routes.js";
import { githubSignature } from "../dist/webhooks/signature.js";

const SEQUENTIAL = 300;
const BURST = 50;
const FAKE_DEPLOY_MS = 200;
const TIME_LIMIT_MS = 60_000;

const secret = ["bench", randomBytes(12).toString("hex")].join("-");
const config = parseAppConfig("app: hello\nstart: node server.js\nwebhook_secret_env: BENCH_HOOK\n");
const app = webhookAppFor(config, { BENCH_HOOK: secret });
const sha = () => randomBytes(20).toString("hex");

function pushBody(commits) {
  const after = sha();
  return JSON.stringify({
    ref: "refs/heads/main",
    before: sha(),
    after,
    deleted: false,
    pusher: { name: "bench" },
    repository: { full_name: "me/hello" },
    commits: Array.from({ length: commits }, (_, i) => ({
      id: i === commits - 1 ? after : sha(),
      message: `fix: change ${i}\n\n${"x".repeat(200)}`,
      timestamp: new Date().toISOString(),
      author: { name: "Bench", email: "bench@example.test" },
      modified: Array.from({ length: 10 }, (_, j) => `src/file-${j}.ts`),
    })),
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(label, samplesMs) {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const f = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
  process.stdout.write(
    `${label.padEnd(44)} n=${sorted.length}  p50 ${f(percentile(sorted, 50))}  p99 ${f(percentile(sorted, 99))}  max ${f(sorted.at(-1))}\n`,
  );
}

function inProcess() {
  const deliveries = new DeliveryMemory();
  for (const commits of [1, 20]) {
    const samples = [];
    for (let i = 0; i < 2000; i++) {
      const body = Buffer.from(pushBody(commits));
      const request = {
        provider: "github",
        app: "hello",
        body,
        headers: {
          "x-github-event": "push",
          "x-github-delivery": `d-${commits}-${i}`,
          "x-hub-signature-256": githubSignature(body, secret),
        },
      };
      const started = performance.now();
      const response = handleWebhook(request, app, deliveries);
      samples.push(performance.now() - started);
      if (response.status !== 202) throw new Error(`expected 202, got ${response.status}`);
    }
    summary(`handleWebhook, ${commits} commit(s), ${Buffer.byteLength(pushBody(commits))} B`, samples);
  }
}

async function overHttp() {
  let deploys = 0;
  const queue = new CoalescingQueue(async () => {
    deploys++;
    await new Promise((resolve) => setTimeout(resolve, FAKE_DEPLOY_MS));
  });
  const api = new Hono();
  api.route(
    "/hooks",
    webhookRoutes({
      lookupApp: (name) => (name === "hello" ? app : undefined),
      dispatch: (a) => queue.push(queueKeyOf(a), a),
    }),
  );
  const server = await new Promise((resolve) => {
    const s = serve({ fetch: api.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${server.address().port}/hooks/github/hello`;
  // Bodies and signatures are made before the clock starts: the client shares this process's CPU.
  const request = (id) => {
    const body = pushBody(20);
    return {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": id,
        "x-hub-signature-256": githubSignature(body, secret),
      },
    };
  };
  const send = async (init) => {
    const started = performance.now();
    const response = await fetch(url, init);
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`expected 202, got ${response.status}`);
    return performance.now() - started;
  };
  const deadline = Date.now() + TIME_LIMIT_MS;
  const sequential = [];
  for (let i = 0; i < SEQUENTIAL && Date.now() < deadline; i++)
    sequential.push(await send(request(`seq-${i}`)));
  summary("POST /hooks/github/hello → 202, one at a time", sequential);
  const burstRequests = Array.from({ length: BURST }, (_, i) => request(`burst-${i}`));
  const burst = await Promise.all(burstRequests.map(send));
  summary(`POST /hooks/github/hello → 202, ${BURST} at once`, burst);
  await queue.idle();
  await new Promise((resolve) => server.close(resolve));
  const pushes = sequential.length + burst.length;
  process.stdout.write(
    `coalescing: ${pushes} pushes during ${FAKE_DEPLOY_MS} ms deploys ran ${deploys} deploys\n`,
  );
}

process.stdout.write(`node ${process.version}\n`);
inProcess();
await overHttp();
