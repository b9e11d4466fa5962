import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../../src/runtime/ports.js";
import { childPids, type Processes } from "./processes.js";

const NGINX_PATHS = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx", "/usr/local/bin/nginx"];

export interface RunningNginx {
  url: string;
  child: ChildProcess;
  /** The worker's PID, for its CPU time (the master does no request work). */
  workerPid: number | undefined;
}

export function findNginx(): string | undefined {
  return NGINX_PATHS.find((path) => existsSync(path));
}

/**
 * nginx as the reference reverse proxy: one worker, keep-alive to the upstream, no access log, everything
 * in `dir`, listening on 127.0.0.1 only. Stopped with the other processes by PID.
 */
export async function startNginx(
  nginx: string,
  processes: Processes,
  dir: string,
  upstreamPort: number,
  /** Client and upstream connections together (nginx's default is 1024). */
  workerConnections = 1024,
): Promise<RunningNginx> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = join(dir, "nginx.conf");
  writeFileSync(conf, nginxConfig(dir, port, upstreamPort, workerConnections));
  const child = processes.spawn(nginx, ["-p", dir, "-e", join(dir, "error.log"), "-c", conf]);
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${output}`);
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return { url, child, workerPid: childPids(child.pid)[0] };
    await sleep(50);
  }
  throw new Error(`nginx did not answer on ${url}: ${output}`);
}

function nginxConfig(dir: string, port: number, upstreamPort: number, workerConnections: number): string {
  return `worker_processes 1;
worker_rlimit_nofile ${workerConnections + 64};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections ${workerConnections}; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}
