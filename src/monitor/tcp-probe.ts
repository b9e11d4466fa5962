import { connect } from "node:net";
import { describeError, failed, type ProbeResult, passed, timeoutText } from "./probe-result.js";

/** Passes when a TCP connection opens within the timeout; the connection is closed at once. */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(failed(startedAt, timeoutText(timeoutMs))), timeoutMs);
    socket.once("connect", () => finish(passed(startedAt)));
    socket.once("error", (error) => finish(failed(startedAt, describeError(error))));
  });
}
