import type { InstanceRecord } from "../store/instances.js";

/** A running app process an earlier agent started, as the next agent takes it over. */
export interface AdoptedProcess {
  id: string;
  /** Its process group (every instance runs in its own, led by the process the agent spawned). */
  pid: number;
  port: number;
  startedAt: number;
}

export interface AdoptionPlan {
  /** By `app/artifact`: the processes of one running release, in instance order. */
  adopt: Map<string, AdoptedProcess[]>;
  /** Process groups to stop, with the record they were found by. */
  stop: Array<{ record: InstanceRecord; pgid: number }>;
  /** Records whose processes are gone: only the ledger row is left to remove. */
  gone: InstanceRecord[];
}

export function releaseKey(app: string, artifact: string): string {
  return `${app}/${artifact}`;
}

/**
 * What a starting agent does with the instances its predecessor recorded (pure; the runtime acts on
 * it). `alive` maps each record's SKIFF_INSTANCE marker still found in /proc to its process group.
 * A release is adopted whole or not at all: only when `keep` wants it (a live release) and every
 * instance index from 0 is running exactly once; anything else is stopped as before adoption existed.
 * Generic over what an instance runs: it only reads the ledger's records and their markers.
 */
export function planAdoption(
  records: readonly InstanceRecord[],
  alive: ReadonlyMap<string, number>,
  keep: (app: string, artifact: string) => boolean,
): AdoptionPlan {
  const plan: AdoptionPlan = { adopt: new Map(), stop: [], gone: [] };
  const byRelease = new Map<string, Array<{ record: InstanceRecord; pgid: number }>>();
  for (const record of records) {
    const pgid = alive.get(`SKIFF_INSTANCE=${record.id}`);
    if (pgid === undefined) {
      plan.gone.push(record);
      continue;
    }
    const key = releaseKey(record.app, record.artifact);
    byRelease.set(key, [...(byRelease.get(key) ?? []), { record, pgid }]);
  }
  for (const [key, found] of byRelease) {
    const [first] = found;
    const sorted = [...found].sort((a, b) => a.record.idx - b.record.idx);
    const complete = sorted.every((f, i) => f.record.idx === i);
    if (first && complete && keep(first.record.app, first.record.artifact)) {
      plan.adopt.set(
        key,
        sorted.map(({ record, pgid }) => ({
          id: record.id,
          pid: pgid,
          port: record.port,
          startedAt: record.startedAt,
        })),
      );
    } else {
      plan.stop.push(...found);
    }
  }
  return plan;
}
