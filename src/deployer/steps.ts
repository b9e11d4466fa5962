import type { Store } from "../store/store.js";

export type StepName =
  | "received"
  | "unpacked"
  | "checked"
  | "installed"
  | "built"
  | "released"
  | "started"
  | "healthy"
  | "switched"
  | "drained"
  | "finished"
  | "failed";

/** What the deploy and rollback streams carry, one JSON object per line (docs/cli.md). */
export type OperationEvent =
  | { type: "step"; step: StepName; ok: boolean; at: string; durationMs: number; message?: string }
  | { type: "waiting"; message: string };

export type Emit = (event: OperationEvent) => void;

/** How a step runs and is told about: timed, then recorded (or not, see UnrecordedSteps). */
export interface Steps {
  /**
   * Runs `work` as step `name`; its result's description becomes the step's message. A result with
   * `ok: false` (a build that exited non-zero, a check with findings) records the step as failed.
   */
  run<T>(
    name: StepName,
    work: () => Promise<T> | T,
    describe?: (result: T) => string | undefined,
  ): Promise<T>;
  /** `data` goes to the ledger only (the dependency cache's key), never to the client. */
  record(name: StepName, ok: boolean, durationMs: number, message?: string, data?: unknown): void;
  /** From now on steps go to the ledger only: the client's stream has ended (a rollback's drain). */
  detach(): void;
  /** Total time since the operation began. */
  elapsed(): number;
}

/** Times each step of an operation, records it in the ledger and streams it to the client. */
export class StepRecorder implements Steps {
  private readonly started = Date.now();
  private streaming = true;

  constructor(
    private readonly store: Store,
    private readonly app: string,
    private readonly release: string,
    private readonly emit: Emit,
  ) {}

  async run<T>(
    name: StepName,
    work: () => Promise<T> | T,
    describe?: (result: T) => string | undefined,
  ): Promise<T> {
    const started = Date.now();
    const result = await work();
    const ok = (result as { ok?: unknown } | undefined)?.ok !== false;
    this.record(name, ok, Date.now() - started, describe?.(result));
    return result;
  }

  record(name: StepName, ok: boolean, durationMs: number, message?: string, data?: unknown): void {
    const at = Date.now();
    this.store.events.add({
      app: this.app,
      release: this.release,
      kind: "step",
      name,
      ok,
      at,
      durationMs,
      message: message ?? null,
      ...(data === undefined ? {} : { data }),
    });
    if (!this.streaming) return;
    this.emit({
      type: "step",
      step: name,
      ok,
      at: new Date(at).toISOString(),
      durationMs,
      ...(message ? { message } : {}),
    });
  }

  /** From now on steps go to the ledger only: the client's stream has ended (a rollback's drain). */
  detach(): void {
    this.streaming = false;
  }

  elapsed(): number {
    return Date.now() - this.started;
  }
}

/**
 * Steps run without a record: bringing a live release back after an agent restart runs the start and
 * the gate again, but it is not a new deploy of that release, so its steps stay out of the ledger.
 */
export class UnrecordedSteps implements Steps {
  private readonly started = Date.now();

  async run<T>(_name: StepName, work: () => Promise<T> | T): Promise<T> {
    return work();
  }

  record(): void {}

  detach(): void {}

  elapsed(): number {
    return Date.now() - this.started;
  }
}
