import type { InstanceState } from "./instance.js";

/**
 * What the runtime, the health gate, the proxy's targets and `skiff status` need from one instance of a
 * release, whatever runs it: a host process (`Instance`) or a container (`ContainerInstance` in
 * src/containers/). Both start, pass the same health gate on `port`, restart with the same backoff when
 * supervised, and stop within `stop_timeout`.
 */
export interface ReleaseInstance {
  /** The ledger's id; a host process carries it as SKIFF_INSTANCE, a container as the skiff.instance label. */
  readonly id: string;
  /** Its index among the instances of its process type. */
  readonly idx: number;
  /** The process type: `web` gets a port, traffic and the HTTP gate; the others (`worker`…) none of them. */
  readonly process: string;
  /** Web: where the agent reaches it on 127.0.0.1 (a container's published port); undefined otherwise. */
  readonly port: number | undefined;
  state: InstanceState;
  /** The process id on the host (for a container: its init process), while it runs. */
  pid: number | undefined;
  startedAt: number;
  restarts: number;
  healthy: boolean;
  lastExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** A container's engine id, once created; undefined for a host process. */
  readonly containerId?: string | undefined;
  /** When true, an unexpected exit restarts it with backoff. */
  supervised: boolean;
  start(): void;
  /** SIGTERM, then SIGKILL after stop_timeout; never restarts afterwards. */
  stop(): Promise<void>;
  /** Leaves it running, unwatched, for the next agent to adopt (host processes; a reload, --keep-apps). */
  detach?(): void;
  /** Resolves when the current run exits. */
  whenExited(): Promise<void>;
}
