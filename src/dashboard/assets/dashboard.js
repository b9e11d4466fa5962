// Skiff's dashboard: progressive enhancement only. Every page is complete without this script; it adds
// live deploy progress and logs (server-sent events), charts (uPlot), local times and busy buttons.
// Plain browser JavaScript, no build step, no dependencies but uPlot on the pages with charts.

(() => {
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  // The same rule as formatSpan in src/config/duration.ts, which renders the page's own durations.
  function span(ms) {
    if (ms === null || ms === undefined) return "–";
    if (ms < 10_000) return ms < 1000 ? `${Math.max(0, Math.round(ms))}ms` : `${(ms / 1000).toFixed(1)}s`;
    const s = Math.round(ms / 1000);
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m ${s % 60}s`;
    const h = Math.floor(m / 60);
    return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
  }

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // Times are rendered relative ("4m ago"); the exact local time goes in the tooltip.
  function localTimes(root) {
    for (const time of $$("time[datetime]", root)) {
      const date = new Date(time.getAttribute("datetime"));
      if (!Number.isNaN(date.getTime())) time.title = date.toLocaleString();
    }
  }

  // A busy button after a click, so a slow rollback does not look like nothing happened.
  function busyButtons() {
    for (const form of $$("form")) {
      form.addEventListener("submit", () => {
        const button = form.querySelector("button[data-busy-text]");
        if (!button) return;
        setTimeout(() => {
          button.disabled = true;
          button.textContent = button.dataset.busyText;
        }, 0);
      });
    }
  }

  // The sections marked data-refresh, fetched again and swapped in, keeping the live activity panel
  // (its stream and the steps it has shown) as it is.
  async function refreshSections() {
    const response = await fetch(location.href, {
      headers: { accept: "text/html" },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const section of $$("[data-refresh]")) {
      const replacement = fresh.querySelector(`[data-refresh="${section.dataset.refresh}"]`);
      if (!replacement) continue;
      const activity = section.querySelector("[data-live-events]");
      const freshActivity = replacement.querySelector("[data-live-events]");
      if (activity && freshActivity) {
        const status = freshActivity.querySelector("p");
        const old = activity.querySelector("p");
        if (status && old) old.replaceWith(status);
        freshActivity.replaceWith(activity);
      }
      section.replaceWith(replacement);
      localTimes(replacement);
    }
    document.dispatchEvent(new CustomEvent("skiff:refreshed"));
  }

  function liveEvents() {
    const panel = document.querySelector("[data-live-events]");
    if (!panel || !window.EventSource) return;
    const list = panel.querySelector(".live-steps");
    const source = new EventSource(panel.dataset.liveEvents);
    source.addEventListener("ready", () => {
      panel.dataset.state = "open";
    });
    source.addEventListener("error", () => {
      panel.dataset.state = "reconnecting";
    });
    let refresh;
    source.addEventListener("step", (message) => {
      const step = JSON.parse(message.data);
      const status = panel.querySelector("p");
      if (status?.classList.contains("idle")) {
        status.className = "notice info running";
        status.textContent = `Running: ${step.release ?? "an operation"}${step.env && step.env !== "production" ? ` (${step.env})` : ""}`;
      }
      const item = element("li", step.ok ? "ok-step" : "bad-step");
      item.dataset.step = step.name;
      item.dataset.release = step.release ?? "";
      item.append(
        element("span", "step-name", `${step.release ?? ""} ${step.name}`),
        " ",
        element("span", "step-time", span(step.durationMs)),
      );
      if (step.message) item.append(element("span", "step-message", ` ${step.message}`));
      list.append(item);
      // An operation that ended (or went live) changes the timeline: show it without a reload.
      if (step.name === "finished" || step.name === "failed" || step.name === "switched") {
        clearTimeout(refresh);
        refresh = setTimeout(() => refreshSections().catch(() => undefined), 150);
      }
    });
  }

  // Keeps at most this many characters of a followed log in the page.
  const LOG_KEEP = 400_000;

  function liveLog() {
    const pre = document.querySelector("[data-live-log]");
    if (!pre || !window.EventSource) return;
    const state = document.querySelector(".live-state");
    pre.scrollTop = pre.scrollHeight;
    const source = new EventSource(pre.dataset.liveLog);
    source.addEventListener("ready", () => {
      pre.dataset.state = "open";
      if (state) state.textContent = `${state.textContent.replace(/ Following live\.$/, "")} Following live.`;
    });
    source.addEventListener("error", () => {
      pre.dataset.state = "reconnecting";
    });
    source.addEventListener("log", (message) => {
      const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 40;
      pre.append(document.createTextNode(JSON.parse(message.data)));
      if (pre.textContent.length > LOG_KEEP) pre.textContent = pre.textContent.slice(-LOG_KEEP);
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    });
  }

  const TONES = { ok: "#1a7f37", bad: "#cf222e", warn: "#bf8700", info: "#0969da" };
  const SECOND = 1000;
  const MINUTE = 60 * SECOND;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;
  /** Steps a duration axis may tick by: round human durations. */
  const DURATION_STEPS = [
    [1, 2, 5, 10, 20, 50, 100, 200, 500],
    [1, 2, 5, 10, 15, 30].map((n) => n * SECOND),
    [1, 2, 5, 10, 15, 30].map((n) => n * MINUTE),
    [1, 2, 3, 6, 12].map((n) => n * HOUR),
    [1, 2, 7, 14, 30, 90].map((n) => n * DAY),
  ].flat();

  // The chart specs are rendered by src/dashboard/views/dora.tsx (ChartSpec).
  function charts() {
    if (!window.uPlot) return;
    for (const plot of $$("[data-chart]")) {
      const spec = JSON.parse(plot.dataset.chart);
      const chart = spec.kind === "bars" ? barChart(spec) : pointChart(spec);
      const width = () => Math.max(240, plot.clientWidth);
      const options = {
        ...chart.options,
        legend: { live: false },
        scales: { ...chart.options.scales, x: { time: true, range: () => spec.range } },
        width: width(),
        height: 220,
      };
      const u = new window.uPlot(options, chart.data, plot);
      new ResizeObserver(() => u.setSize({ width: width(), height: 220 })).observe(plot);
    }
  }

  // Stacked bars: uPlot draws each series at the same x, so each is drawn as the running total up to it,
  // tallest first; the legend shows each series' own value.
  function barChart(spec) {
    const totals = [];
    let running = spec.x.map(() => 0);
    for (const s of spec.series) {
      running = running.map((v, i) => v + s.values[i]);
      totals.push(running);
    }
    const order = spec.series.map((_, i) => i).reverse();
    const bars = window.uPlot.paths.bars({ size: [0.7, 48] });
    return {
      data: [spec.x, ...order.map((i) => totals[i])],
      options: {
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [{}, { values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : "")) }],
        series: [
          {},
          ...order.map((i) => ({
            label: spec.series[i].label,
            fill: TONES[spec.series[i].tone],
            stroke: TONES[spec.series[i].tone],
            paths: bars,
            points: { show: false },
          })),
        ],
      },
    };
  }

  // Points in time, durations from zero. A band's limit is drawn as a dashed line only when it is near
  // the points: a one-day line above one-second lead times would flatten them all onto the axis.
  function pointChart(spec) {
    const values = spec.series[0].values;
    const top = Math.max(...values);
    const lines = (spec.lines ?? []).filter((line) => line.value <= top * 2);
    return {
      data: [spec.x, values, ...lines.map((line) => spec.x.map(() => line.value))],
      options: {
        scales: { y: { range: (_u, _min, max) => [0, Math.max(max * 1.15, 10)] } },
        axes: [{}, { size: 64, incrs: DURATION_STEPS, values: (_u, ticks) => ticks.map((t) => span(t)) }],
        series: [
          {},
          {
            label: spec.series[0].label,
            stroke: TONES[spec.series[0].tone],
            fill: TONES[spec.series[0].tone],
            paths: () => null,
            points: { show: true, size: 8, fill: TONES[spec.series[0].tone] },
          },
          ...lines.map((line) => ({
            label: line.label,
            stroke: "#59636e",
            dash: [6, 4],
            width: 1,
            points: { show: false },
          })),
        ],
      },
    };
  }

  function start() {
    localTimes(document);
    busyButtons();
    liveEvents();
    liveLog();
    charts();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
