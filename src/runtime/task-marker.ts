import { randomBytes } from "node:crypto";
import type { TaskKind, Tasks } from "../store/tasks.js";

/** The environment variable that marks a one-shot process the agent started: `SKIFF_TASK=<task id>`. */
export const TASK_ENV = "SKIFF_TASK";

/**
 * A one-shot process the agent runs for a release: a build today, release commands and one-off
 * commands later (issue 11). Like an instance's SKIFF_INSTANCE, its marker goes into the process's
 * environment, where every child inherits it, and into the ledger before the process starts; the row
 * goes when the process ends. An agent that starts after a crash stops every process group still
 * carrying a marker of its ledger (Runtime.start), so no build finishes behind its back.
 *
 * Use: `const task = runtime.task("build", app, release, command)`, spawn (detached, its own process
 * group) with `task.env` in the environment, `task.spawned(pid)`, and `task.ended()` when it exits.
 */
export class TaskMarker {
  readonly id = randomBytes(8).toString("hex");

  constructor(
    private readonly tasks: Tasks,
    what: { kind: TaskKind; app: string; release: string | null; command: string },
  ) {
    tasks.add({ ...what, id: this.id, pid: null, startedAt: Date.now() });
  }

  /** What the process's environment must carry. */
  get env(): Record<string, string> {
    return { [TASK_ENV]: this.id };
  }

  spawned(pid: number): void {
    this.tasks.setPid(this.id, pid);
  }

  ended(): void {
    this.tasks.remove(this.id);
  }
}

/** The `NAME=value` entry that /proc/<pid>/environ holds for a task's processes. */
export function taskMarkerEntry(id: string): string {
  return `${TASK_ENV}=${id}`;
}
