import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../../src/runtime/ports.js";
import { childPids, type Processes } from "./processes.js";

const NGINX_PATHS = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx", "/usr/local/bin/nginx"];

export interface RunningNginx {
  url: string;
  /** With `tls`: the HTTPS address (the same server block as `url`, over TLS). */
  httpsUrl?: string;
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
  options: {
    tls?: { certFile: string; keyFile: string };
    /** Client and upstream connections together (nginx's default is 1024). */
    workerConnections?: number;
  } = {},
): Promise<RunningNginx> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const { tls, workerConnections = 1024 } = options;
  const tlsPort = tls ? await freePort() : undefined;
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    nginxConfig(dir, port, upstreamPort, workerConnections, tls && { ...tls, port: tlsPort! }),
  );
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
    if (ok)
      return {
        url,
        ...(tlsPort ? { httpsUrl: `https://127.0.0.1:${tlsPort}/` } : {}),
        child,
        workerPid: childPids(child.pid)[0],
      };
    await sleep(50);
  }
  throw new Error(`nginx did not answer on ${url}: ${output}`);
}

/**
 * With `tls`, the server also listens with TLS the way a production nginx does by default: TLS 1.2 and
 * 1.3, session tickets on, a shared session cache.
 */
function nginxConfig(
  dir: string,
  port: number,
  upstreamPort: number,
  workerConnections: number,
  tls?: { certFile: string; keyFile: string; port: number },
): string {
  const ssl = tls
    ? `
    listen 127.0.0.1:${tls.port} ssl;
    ssl_certificate ${tls.certFile};
    ssl_certificate_key ${tls.keyFile};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;`
    : "";
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
    listen 127.0.0.1:${port};${ssl}
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}
