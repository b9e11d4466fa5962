import type { FC } from "hono/jsx";
import type { StepView } from "../data/app.js";
import { span } from "./parts.js";

/** A deploy's steps as one bar, each step as wide as it took: where the time went, at a glance. */
export const StepStrip: FC<{ steps: StepView[] }> = ({ steps }) => {
  const timed = steps.filter((s) => s.name !== "finished" && (s.durationMs ?? 0) > 0);
  const total = timed.reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
  if (total === 0) return null;
  let x = 0;
  return (
    <svg class="strip" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label="time per step">
      {timed.map((s) => {
        const width = ((s.durationMs ?? 0) / total) * 100;
        const rect = (
          <rect
            x={x.toFixed(2)}
            y="0"
            width={Math.max(width, 0.5).toFixed(2)}
            height="8"
            class={`step-${s.ok ? s.name : "failed"}`}
          >
            <title>{`${s.name}: ${span(s.durationMs)}`}</title>
          </rect>
        );
        x += width;
        return rect;
      })}
    </svg>
  );
};

/** Every step with its time and message, in order. */
export const StepList: FC<{ steps: StepView[] }> = ({ steps }) => (
  <ol class="steps">
    {steps.map((s) => (
      <li class={s.ok ? "ok-step" : "bad-step"}>
        <span class="step-name">{s.name}</span> <span class="step-time">{span(s.durationMs)}</span>
        {s.message && <span class="step-message"> {s.message}</span>}
      </li>
    ))}
  </ol>
);
