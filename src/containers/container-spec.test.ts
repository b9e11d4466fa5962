import { describe, expect, it } from "vitest";
import { type ContainerSpec, commandArgs, createOptions } from "./container-spec.js";

const base: ContainerSpec = {
  name: "skiff-hello-i-1",
  image: `sha256:${"b".repeat(64)}`,
  labels: { "skiff.app": "hello" },
  env: { DATABASE_URL: "postgres://u:secret@db/app", PORT: "3000" },
  restart: "no",
};

describe("createOptions", () => {
  it("passes the environment as Env and nothing on the command line; keeps the image's CMD when none is given", () => {
    const options = createOptions(base);
    expect(options.Env).toEqual(["DATABASE_URL=postgres://u:secret@db/app", "PORT=3000"]);
    expect(options.Cmd).toBeUndefined();
    expect(options.Image).toBe(base.image);
    expect(options.HostConfig).toMatchObject({ Init: true, RestartPolicy: { Name: "no" } });
    expect(options.HostConfig?.PortBindings).toBeUndefined();
  });

  it("publishes on 127.0.0.1 only", () => {
    const options = createOptions({ ...base, publish: { hostPort: 41234, containerPort: 3000 } });
    expect(options.ExposedPorts).toEqual({ "3000/tcp": {} });
    expect(options.HostConfig?.PortBindings).toEqual({
      "3000/tcp": [{ HostIp: "127.0.0.1", HostPort: "41234" }],
    });
  });

  it("maps storage mounts, limits, network, healthcheck, user and restart policy", () => {
    const options = createOptions({
      ...base,
      mounts: [
        { source: "/data/storage/hello/production/uploads", target: "/app/uploads" },
        { source: "/data/storage/hello/production/conf", target: "/etc/app", readOnly: true },
      ],
      limits: { memoryBytes: 256 * 1024 ** 2, cpus: 1.5 },
      network: { name: "skiff-a-hello-production", aliases: ["db"] },
      healthcheck: {
        command: "pg_isready",
        intervalMs: 2000,
        timeoutMs: 5000,
        retries: 3,
        startPeriodMs: 1000,
      },
      user: "postgres",
      restart: "unless-stopped",
    });
    expect(options.HostConfig).toMatchObject({
      Mounts: [
        {
          Type: "bind",
          Source: "/data/storage/hello/production/uploads",
          Target: "/app/uploads",
          ReadOnly: false,
        },
        { Type: "bind", Source: "/data/storage/hello/production/conf", Target: "/etc/app", ReadOnly: true },
      ],
      Memory: 256 * 1024 ** 2,
      MemorySwap: 256 * 1024 ** 2,
      NanoCpus: 1_500_000_000,
      NetworkMode: "skiff-a-hello-production",
      RestartPolicy: { Name: "unless-stopped" },
    });
    expect(options.NetworkingConfig).toEqual({
      EndpointsConfig: { "skiff-a-hello-production": { Aliases: ["db"] } },
    });
    expect(options.Healthcheck).toEqual({
      Test: ["CMD-SHELL", "pg_isready"],
      Interval: 2e9,
      Timeout: 5e9,
      Retries: 3,
      StartPeriod: 1e9,
    });
    expect(options.User).toBe("postgres");
  });
});

describe("commandArgs", () => {
  it.each([
    ["node server.js", ["/bin/sh", "-c", "exec node server.js"]],
    ["npm run migrate && node server.js", ["/bin/sh", "-c", "npm run migrate && node server.js"]],
    [
      ["node", "server.js"],
      ["node", "server.js"],
    ],
    [
      ["--appendonly", "yes"],
      ["--appendonly", "yes"],
    ],
  ])("%j → %j", (command, args) => expect(commandArgs(command)).toEqual(args));
});
