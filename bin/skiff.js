#!/usr/bin/env node
import { main } from "../dist/cli/main.js";

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Leave as soon as the output is out: idle keep-alive sockets to the agent would otherwise hold
// the process open for a while after the command is done.
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
