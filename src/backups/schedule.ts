import { Cron } from "croner";

/**
 * Pure. When backups run: `daily` (03:00 on the agent's clock) or a cron expression of 5 fields, or 6
 * with seconds first (`*\/10 * * * * *`, for tests and the impatient). croner does the calendar math.
 */

export const ALIASES: Record<string, string> = {
  daily: "0 3 * * *",
  hourly: "0 * * * *",
  weekly: "0 3 * * 0",
};

/** A backup is stale when the newest good one is older than this many periods of its schedule. */
export const STALE_PERIODS = 1.5;

export interface Schedule {
  /** The first run strictly after `after`, or undefined when the expression never fires again. */
  next(after: Date): Date | undefined;
  /** The length of the period around `at`: the gap between the two scheduled runs before it. */
  periodMs(at: Date): number;
}

export function parseSchedule(text: string): { schedule?: Schedule; problem?: string } {
  const pattern = ALIASES[text.trim()] ?? text.trim();
  let cron: Cron;
  try {
    cron = new Cron(pattern, { paused: true, mode: "5-or-6-parts" });
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern: /, "");
    return {
      problem: `expected \`daily\`, \`hourly\`, \`weekly\` or a cron expression like \`0 3 * * *\` (${reason})`,
    };
  }
  if (cron.nextRuns(2, new Date()).length < 2)
    return { problem: `${JSON.stringify(text)} never runs (or runs only once): pick a repeating schedule` };
  return {
    schedule: {
      next: (after) => cron.nextRun(after) ?? undefined,
      periodMs: (at) => {
        const [last, before] = cron.previousRuns(2, at);
        if (last && before) return last.getTime() - before.getTime();
        // Before the expression's first runs (a fresh year…): the gap ahead instead.
        const [a, b] = cron.nextRuns(2, at);
        return a && b ? b.getTime() - a.getTime() : 86_400_000;
      },
    },
  };
}

/** Parses an expression the config already validated. */
export function scheduleOf(text: string): Schedule {
  const { schedule, problem } = parseSchedule(text);
  if (!schedule) throw new Error(`schedule ${JSON.stringify(text)}: ${problem}`);
  return schedule;
}

/**
 * When the next backup is due, from the last one attempted (or, never attempted, from when the agent
 * started watching the database): a time in the past means a run was missed while the agent was down,
 * and it runs at once.
 */
export function nextDue(
  schedule: Schedule,
  lastAttemptAt: number | undefined,
  watchingSince: number,
): number {
  const from = lastAttemptAt ?? watchingSince;
  return schedule.next(new Date(from))?.getTime() ?? Number.POSITIVE_INFINITY;
}

/**
 * Whether the newest good backup is too old: older than STALE_PERIODS × the schedule's period. With no
 * good backup at all, the clock starts when the agent began watching the database.
 */
export function isStale(
  schedule: Schedule,
  lastGoodAt: number | undefined,
  watchingSince: number,
  now: number,
): boolean {
  const since = lastGoodAt ?? watchingSince;
  return now - since > STALE_PERIODS * schedule.periodMs(new Date(now));
}
