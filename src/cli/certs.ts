import type { Command } from "commander";
import type { CertsResponse } from "../tls/certs-api.js";
import { AgentClient } from "./client.js";
import { type AgentOptions, withAgent } from "./options.js";
import { Output } from "./output.js";
import { printCerts } from "./views/certs.js";

export function register(program: Command): void {
  withAgent(
    program
      .command("certs")
      .description("the TLS certificate of every host: issuer, expiry, renewal, last attempt and its result"),
  ).action(async (flags: AgentOptions) => {
    const out = new Output({ json: flags.json });
    printCerts(out, await AgentClient.from(flags).json<CertsResponse>("GET", "/v1/certs"));
  });
}
