/// <reference lib="dom" />
import uPlot from "uplot";
import { formatTime } from "#core/alert-text";

/**
 * The balance chart of one account (uPlot on a canvas): one point per recorded snapshot, the warning and
 * critical thresholds as dashed lines, and what open reservations hold as a band under the latest balance.
 */

export interface ChartInput {
  /** Snapshot times (epoch seconds, ascending) and their remaining balance. */
  times: number[];
  balances: number[];
  warning: number;
  critical: number;
  /** Held by open reservations now, in the balance's unit. */
  reserved: number;
  /** Window start and end (epoch seconds): the x axis shows the whole 24 h or 7 d once history covers it. */
  from: number;
  to: number;
  /** Whether a reading older than `from` exists, so that the window is covered by history (see xRange). */
  historyBefore: boolean;
  formatAmount(amount: number): string;
  /** Short axis labels (`$100`, `2,400`). */
  formatTick(amount: number): string;
}

/**
 * The step of the y axis' ticks: 1, 2, 2.5 or 5 × 10^k, the smallest giving at most about `ticks` intervals
 * over `span`.
 */
export function niceStep(span: number, ticks = 5): number {
  const raw = Math.max(span, Number.EPSILON) / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const multiple = [1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10;
  return multiple * magnitude;
}

/** The shortest x axis (seconds) a fitted chart shows, so that one or two readings do not fill a zero span. */
export const MIN_FITTED_SECONDS = 10 * 60;
/** Room left of a fitted chart's first reading, as a share of the span of the history shown. */
const FIT_MARGIN = 0.05;

/**
 * The x axis' span (epoch seconds) for readings at `times` (ascending) in the window `from`..`to`. The whole
 * window once history covers it (`historyBefore`: a reading older than `from` exists) or when there is no
 * reading to fit. Otherwise the history is shorter than the window, as on a fresh install, and the axis fits it:
 * from a little before the first reading to `to`, at least MIN_FITTED_SECONDS, never wider than the window.
 * Without this, a few minutes of history were squeezed into a vertical line at the right edge of 24 hours.
 */
export function xRange(
  times: readonly number[],
  window: { from: number; to: number; historyBefore: boolean },
): { min: number; max: number } {
  const { from, to } = window;
  const first = times[0];
  if (window.historyBefore || first === undefined) return { min: from, max: to };
  const span = Math.max(MIN_FITTED_SECONDS, (to - first) * (1 + FIT_MARGIN));
  return { min: Math.max(from, to - span), max: to };
}

/** The multiple of `step` at or below (`down`) or at or above `value`, without the float noise of 0.1 + 0.2. */
function onStep(value: number, step: number, down: boolean): number {
  const steps = value / step;
  const whole = down ? Math.floor(steps + 1e-9) : Math.ceil(steps - 1e-9);
  return Number((whole * step).toPrecision(12));
}

/** The y scale from `low` to `high`, widened to whole steps so that the top tick is at or above `high`. */
export function yScale(low: number, high: number): { min: number; max: number; step: number } {
  const step = niceStep(high - low);
  return { min: onStep(low, step, true), max: onStep(high, step, false), step };
}

/** Every tick from `min` to `max`, `step` apart. */
function ticksOf({ min, max, step }: { min: number; max: number; step: number }): number[] {
  const ticks: number[] = [];
  for (let i = 0; min + i * step <= max + step * 1e-9; i++)
    ticks.push(Number((min + i * step).toPrecision(12)));
  return ticks;
}

/**
 * An x tick as the page writes every time, in UTC (`formatTime`'s pieces): `HH:MM`, and under it the date
 * `YYYY-MM-DD` on the first tick and wherever the day changes.
 */
export function timeTicks(splits: readonly number[]): string[] {
  let day = "";
  return splits.map((seconds) => {
    const iso = new Date(seconds * 1000).toISOString();
    const date = iso.slice(0, 10);
    const label = date === day ? iso.slice(11, 16) : `${iso.slice(11, 16)}\n${date}`;
    day = date;
    return label;
  });
}

/** The share of the plot's width between the first and the last point drawn (0 for one point or none). */
function pointsWidth(u: uPlot): number {
  const times = u.data[0];
  const first = times[0];
  const last = times[times.length - 1];
  if (first === undefined || last === undefined || u.bbox.width <= 0) return 0;
  return (u.valToPos(last, "x", true) - u.valToPos(first, "x", true)) / u.bbox.width;
}

/** Colours come from the page's CSS variables, so the chart follows the light or dark theme. */
function cssColour(element: Element, name: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || "#888";
}

interface Overlay {
  input(): ChartInput;
  colour(name: string): string;
}

/** A dashed line across the whole plot at `value`, labelled at its left end. */
function thresholdLine(u: uPlot, value: number, label: string, colour: string): void {
  const y = u.valToPos(value, "y", true);
  const { ctx, bbox } = u;
  const ratio = window.devicePixelRatio || 1;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 1.5 * ratio;
  ctx.setLineDash([6 * ratio, 4 * ratio]);
  ctx.beginPath();
  ctx.moveTo(bbox.left, y);
  ctx.lineTo(bbox.left + bbox.width, y);
  ctx.stroke();
  ctx.font = `${11 * ratio}px system-ui, sans-serif`;
  // uPlot leaves the context as its last axis drew it (right-aligned); set what the label needs.
  ctx.textAlign = "left";
  ctx.textBaseline = "bottom";
  ctx.fillText(label, bbox.left + 4 * ratio, y - 3 * ratio);
  ctx.restore();
}

/**
 * Thresholds across the plot, and the amount open reservations hold as a band under the latest balance, from
 * the last reading to now: checks and reservations can use only what lies below the band (floor aside).
 */
function overlays(overlay: Overlay): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const { times, balances, reserved, warning, critical, formatAmount } = overlay.input();
        thresholdLine(u, warning, `warning ${formatAmount(warning)}`, overlay.colour("--warning"));
        thresholdLine(u, critical, `critical ${formatAmount(critical)}`, overlay.colour("--critical"));
        const latest = balances[balances.length - 1];
        const lastTime = times[times.length - 1];
        if (reserved <= 0 || latest === undefined || lastTime === undefined) return;
        const ratio = window.devicePixelRatio || 1;
        const top = u.valToPos(latest, "y", true);
        const bottom = u.valToPos(latest - reserved, "y", true);
        const right = u.bbox.left + u.bbox.width;
        // At least a few pixels wide, so a hold made just after the last reading still shows.
        const left = Math.min(u.valToPos(lastTime, "x", true), right - 8 * ratio);
        const { ctx } = u;
        ctx.save();
        ctx.fillStyle = overlay.colour("--reserved");
        ctx.globalAlpha = 0.45;
        ctx.fillRect(left, top, right - left, bottom - top);
        ctx.globalAlpha = 1;
        ctx.font = `${11 * ratio}px system-ui, sans-serif`;
        ctx.textAlign = "right";
        ctx.textBaseline = "top";
        ctx.fillText(`reserved ${formatAmount(reserved)}`, left - 4 * ratio, bottom + 2 * ratio);
        ctx.restore();
      },
    },
  };
}

/**
 * Draws into `container` and keeps `data-points` at the number of snapshots drawn, `data-hours` at the span
 * of the x axis, `data-points-width` at the share (0 to 1) of the plot's width from the first point drawn to
 * the last, and `data-x-ticks` / `data-y-ticks` at the axes' labels and values (JSON arrays), as uPlot last
 * drew them (for tests and people).
 */
export class BalanceChart {
  #plot: uPlot | undefined;
  #input: ChartInput | undefined;

  constructor(private readonly container: HTMLElement) {}

  update(input: ChartInput): void {
    this.#input = input;
    const data: uPlot.AlignedData = [input.times, input.balances];
    const width = Math.max(280, this.container.clientWidth);
    if (!this.#plot) {
      this.#plot = new uPlot(this.options(width), data, this.container);
    } else {
      if (this.#plot.width !== width) this.#plot.setSize({ width, height: this.#plot.height });
      this.#plot.setData(data, false);
    }
    this.#plot.setScale("x", xRange(input.times, input));
  }

  private options(width: number): uPlot.Options {
    const c = this.container;
    const text = cssColour(c, "--text-muted");
    const grid = cssColour(c, "--grid");
    const current = () => this.#input as ChartInput;
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    // The y scale and its ticks are computed here, not by uPlot, whose top tick may lie below the highest
    // balance (it was $100 under a $120 reading): the scale is widened to whole steps of the ticks instead.
    let y = yScale(0, 1);
    return {
      width,
      height: 220,
      // Times are UTC everywhere on the page; uPlot would otherwise place and label ticks in local time.
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
      scales: {
        x: { time: true },
        y: {
          range: (_u, min, max) => {
            const { warning, reserved, balances } = current();
            const latest = balances[balances.length - 1] ?? 0;
            const low = Math.min(0, min ?? 0, latest - reserved);
            const highest = balances.reduce((a, b) => Math.max(a, b), 0);
            const high = Math.max(max ?? 0, highest, warning * 1.15, 1);
            y = yScale(low, high);
            return [y.min, y.max];
          },
        },
      },
      series: [
        {
          value: (_u, seconds) =>
            seconds === null || seconds === undefined
              ? "–"
              : formatTime(new Date(seconds * 1000).toISOString()),
        },
        {
          label: "Balance",
          stroke: cssColour(c, "--accent"),
          width: 2,
          points: { show: true, size: 5 },
          value: (_u, value) => (value === null || value === undefined ? "–" : current().formatAmount(value)),
        },
      ],
      axes: [
        { ...axis, label: "UTC", labelSize: 20, values: (_u, splits) => timeTicks(splits) },
        {
          ...axis,
          size: 64,
          splits: () => ticksOf(y),
          values: (_u, ticks) => ticks.map((t) => current().formatTick(t)),
        },
      ],
      legend: { show: true },
      plugins: [
        overlays({ input: current, colour: (name) => cssColour(c, name) }),
        {
          hooks: {
            draw: (u: uPlot) => {
              c.dataset.points = String(u.data[0].length);
              // What uPlot drew on the axes (its own fields): the canvas has no text a test could read.
              const [xAxis, yAxis] = u.axes as unknown as { _values?: unknown[]; _splits?: number[] }[];
              c.dataset.xTicks = JSON.stringify(xAxis?._values ?? []);
              c.dataset.yTicks = JSON.stringify(yAxis?._splits ?? []);
              const { min, max } = u.scales.x ?? {};
              if (min !== undefined && max !== undefined)
                c.dataset.hours = String(Math.round((max - min) / 3600));
              c.dataset.pointsWidth = pointsWidth(u).toFixed(3);
              if (!performance.getEntriesByName("first-chart").length) performance.mark("first-chart");
            },
          },
        },
      ],
    };
  }
}
