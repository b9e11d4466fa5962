// A tiny web app to deploy with skiff: answers on $PORT, has a /health endpoint, drains on SIGTERM.

import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const version = readFileSync(new URL("./VERSION", import.meta.url), "utf8").trim();
const builtAt = (() => {
  try {
    return readFileSync(new URL("./build/built-at.txt", import.meta.url), "utf8").trim();
  } catch {
    return "not built";
  }
})();

const server = createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok\n");
    return;
  }
  res.writeHead(200, { "content-type": "application/json", "x-app-version": version });
  res.end(`${JSON.stringify({ app: "hello", version, builtAt, pid: process.pid })}\n`);
});

server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? "127.0.0.1");

process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
