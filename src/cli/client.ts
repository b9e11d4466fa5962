import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { DeployMeta, ErrorBody, ResultEvent, StreamEvent } from "../agent/api-types.js";
import { DEPLOY_META_HEADER } from "../agent/api-types.js";
import { PRODUCTION } from "../environments/names.js";
import {
  AgentError,
  AgentUnreachableError,
  ConfigError,
  EXIT,
  type ExitCode,
  OperationError,
  SkiffError,
  UsageError,
} from "../errors.js";
import { type AgentOptions, DEFAULT_AGENT } from "./options.js";

/** A thin client of the agent's API: the bearer token on every call, errors mapped to exit codes. */
export class AgentClient {
  readonly url: string;
  readonly token: string;

  constructor(url: string, token: string) {
    this.url = url.replace(/\/+$/, "");
    this.token = token;
  }

  static from(options: AgentOptions): AgentClient {
    const url = options.agent ?? (process.env.SKIFF_AGENT || DEFAULT_AGENT);
    if (!/^https?:\/\//.test(url))
      throw new UsageError(`--agent ${url}: expected a URL like ${DEFAULT_AGENT}`);
    return new AgentClient(url, options.token ?? process.env.SKIFF_TOKEN ?? "");
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, {
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    return JSON.parse(await readAll(res)) as T;
  }

  /** POSTs and reads the NDJSON stream of a deploy or rollback, calling `onEvent` per line; returns the result. */
  async operation(
    path: string,
    init: { body: Uint8Array | string; headers?: Record<string, string> },
    onEvent: (event: StreamEvent) => void,
  ): Promise<ResultEvent> {
    const res = await this.send("POST", path, init);
    let result: ResultEvent | undefined;
    try {
      for await (const line of ndjsonLines(res)) {
        const event = JSON.parse(line) as StreamEvent;
        if (event.type === "result") result = event;
        else onEvent(event);
      }
    } catch {
      // The connection broke mid-stream; said below.
    }
    if (!result)
      throw new AgentError(
        "the agent closed the stream before the operation finished",
        "check `skiff status`",
      );
    if (!result.ok && result.error) throw remoteError(result.error);
    return result;
  }

  deploy(
    app: string,
    tarball: Uint8Array,
    meta: DeployMeta,
    options: { wait?: boolean; env?: string },
    onEvent: (event: StreamEvent) => void,
  ) {
    const query = new URLSearchParams({
      env: options.env ?? PRODUCTION,
      ...(options.wait ? { wait: "1" } : {}),
    });
    return this.operation(
      `/v1/apps/${app}/deploys?${query}`,
      {
        body: tarball,
        headers: {
          "content-type": "application/gzip",
          [DEPLOY_META_HEADER]: Buffer.from(JSON.stringify(meta)).toString("base64url"),
        },
      },
      onEvent,
    );
  }

  /**
   * One request to the agent over node:http (lighter to load than fetch, which matters for a CLI that
   * lives a fraction of a second). Resolves to a 2xx response; anything else becomes a typed error.
   */
  async send(
    method: string,
    path: string,
    init: { body?: Uint8Array | string; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<IncomingMessage> {
    const url = new URL(`${this.url}${path}`);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
        method,
        headers: { ...init.headers, authorization: `Bearer ${this.token}` },
        ...(init.signal ? { signal: init.signal } : {}),
      });
      req.once("response", resolve);
      req.once("error", (error: NodeJS.ErrnoException) => {
        reject(
          new AgentUnreachableError(
            `cannot reach the agent at ${this.url}${error.code ? ` (${error.code})` : ""}`,
            "start it with `skiff agent --data-dir DIR`, or point --agent / SKIFF_AGENT at it",
          ),
        );
      });
      req.end(init.body);
    });
    const status = res.statusCode ?? 0;
    if (status === 401) {
      res.resume();
      throw new AgentError(
        this.token
          ? `the agent at ${this.url} refused the API token`
          : `no API token for the agent at ${this.url}`,
        "pass --token or set SKIFF_TOKEN; the agent keeps it in DATA_DIR/token",
      );
    }
    if (status < 200 || status >= 300) {
      const body = await readAll(res).then(
        (text) => JSON.parse(text) as ErrorBody,
        () => undefined,
      );
      if (body?.error) throw remoteError(body.error);
      throw new AgentError(`the agent answered HTTP ${status}`);
    }
    return res;
  }
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Rebuilds the agent's error on this side, with its exit code, hint and details. */
export function remoteError(error: ErrorBody["error"]): SkiffError {
  if (error.issues)
    return new ConfigError(error.message.split(" is not valid")[0] ?? "skiff.yml", error.issues);
  const code = error.exitCode as ExitCode;
  if (code === EXIT.failed) {
    return new OperationError(error.message, {
      ...(error.hint ? { hint: error.hint } : {}),
      details: error.details ?? [],
    });
  }
  if (code === EXIT.usage) return new UsageError(error.message, error.hint);
  return new SkiffError(error.message, code, error.hint);
}

/** The lines of an NDJSON response, as they arrive. */
export async function* ndjsonLines(res: IncomingMessage): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of res as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline = buffered.indexOf("\n");
    while (newline !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield line;
      newline = buffered.indexOf("\n");
    }
  }
  if (buffered.trim()) yield buffered.trim();
}
