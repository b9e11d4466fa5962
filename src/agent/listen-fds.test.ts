import { describe, expect, it } from "vitest";
import { inheritedFds } from "./listen-fds.js";

describe("inheritedFds", () => {
  it.each([
    ["no flags, no LISTEN_FDS: open the addresses", {}, {}, { fds: {} }],
    ["flags", { listenFd: 4, apiFd: 5 }, {}, { fds: { proxy: 4, api: 5 } }],
    [
      "flags win over LISTEN_FDS",
      { listenFd: 7 },
      { LISTEN_FDS: "2", LISTEN_PID: "100" },
      { fds: { proxy: 7 } },
    ],
    [
      "systemd, unnamed: proxy, api, tls from fd 3",
      {},
      { LISTEN_FDS: "3", LISTEN_PID: "100" },
      { fds: { proxy: 3, api: 4, tls: 5 } },
    ],
    [
      "systemd, named by FileDescriptorName=",
      {},
      { LISTEN_FDS: "2", LISTEN_PID: "100", LISTEN_FDNAMES: "api:proxy" },
      { fds: { api: 3, proxy: 4 } },
    ],
    [
      "LISTEN_PID of another process: not ours (inherited by accident)",
      {},
      { LISTEN_FDS: "1", LISTEN_PID: "99" },
      { fds: {} },
    ],
    ["no LISTEN_PID: taken", {}, { LISTEN_FDS: "1" }, { fds: { proxy: 3 } }],
    [
      "too many sockets",
      {},
      { LISTEN_FDS: "4", LISTEN_PID: "100" },
      { fds: {}, problem: "LISTEN_FDS=4: expected 1 to 3 sockets (proxy, api, tls)" },
    ],
    [
      "an unknown name",
      {},
      { LISTEN_FDS: "1", LISTEN_PID: "100", LISTEN_FDNAMES: "http" },
      { fds: {}, problem: 'LISTEN_FDNAMES=http: "http" is not one of proxy, api, tls' },
    ],
  ])("%s", (_name, flags, env, expected) => {
    expect(inheritedFds(flags, env, 100)).toEqual(expected);
  });
});
