// The web process: answers on $PORT (HOST=127.0.0.1), reads and writes the notes in SQLite.
//   GET  /health        200 once the database answers
//   GET  /              the version and counts (x-app-version tells which release answered)
//   POST /notes         stores the request body as a note: 201 {"id": n}
//   GET  /notes/:id     one note, with the worker's word count once it has run
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { openDatabase } from "./db.js";

const version = readFileSync(new URL("./VERSION", import.meta.url), "utf8").trim();
const db = openDatabase();
const insert = db.prepare("INSERT INTO notes (body, created_at) VALUES (?, ?)");
const one = db.prepare("SELECT id, body, words, processed_at AS processedAt FROM notes WHERE id = ?");
const counts = db.prepare("SELECT count(*) AS notes, count(processed_at) AS processed FROM notes");

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json", "x-app-version": version });
  res.end(`${JSON.stringify(body)}\n`);
}

const server = createServer((req, res) => {
  try {
    if (req.url === "/health") {
      db.prepare("SELECT 1").get();
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok\n");
    } else if (req.method === "POST" && req.url === "/notes") {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        const { lastInsertRowid } = insert.run(body, new Date().toISOString());
        send(res, 201, { id: Number(lastInsertRowid) });
      });
    } else if (req.method === "GET" && req.url?.startsWith("/notes/")) {
      const note = one.get(Number(req.url.slice("/notes/".length)));
      send(res, note ? 200 : 404, note ?? { error: "no such note" });
    } else if (req.method === "GET" && req.url === "/") {
      send(res, 200, { app: "notes", version, ...counts.get(), pid: process.pid });
    } else {
      send(res, 404, { error: "not found" });
    }
  } catch (error) {
    send(res, 500, { error: error.message });
  }
});

server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? "127.0.0.1");

// Skiff drains requests before it stops a release; close what is left and the database.
process.on("SIGTERM", () => {
  server.close(() => {
    db.close();
    process.exit(0);
  });
  server.closeIdleConnections();
});
