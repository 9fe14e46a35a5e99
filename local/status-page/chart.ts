/// <reference lib="dom" />
import uPlot from "uplot";

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
  /** Window start and end (epoch seconds), so the x axis shows the whole 24 h or 7 d. */
  from: number;
  to: number;
  formatAmount(amount: number): string;
  /** Short axis labels (`$100`, `2,400`). */
  formatTick(amount: number): string;
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
 * Draws into `container` and keeps `data-points` at the number of snapshots drawn and `data-hours` at the span
 * of the x axis, as uPlot last drew them (for tests and people).
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
    this.#plot.setScale("x", { min: input.from, max: input.to });
  }

  private options(width: number): uPlot.Options {
    const c = this.container;
    const text = cssColour(c, "--text-muted");
    const grid = cssColour(c, "--grid");
    const current = () => this.#input as ChartInput;
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    return {
      width,
      height: 220,
      scales: {
        x: { time: true },
        y: {
          range: (_u, min, max) => {
            const { warning, reserved, balances } = current();
            const latest = balances[balances.length - 1] ?? 0;
            const low = Math.min(0, min ?? 0, latest - reserved);
            const high = Math.max(max ?? 0, warning * 1.15, 1);
            return [low, high];
          },
        },
      },
      series: [
        {},
        {
          label: "Balance",
          stroke: cssColour(c, "--accent"),
          width: 2,
          points: { show: true, size: 5 },
          value: (_u, value) => (value === null || value === undefined ? "–" : current().formatAmount(value)),
        },
      ],
      axes: [axis, { ...axis, size: 64, values: (_u, ticks) => ticks.map((t) => current().formatTick(t)) }],
      legend: { show: true },
      plugins: [
        overlays({ input: current, colour: (name) => cssColour(c, name) }),
        {
          hooks: {
            draw: (u: uPlot) => {
              c.dataset.points = String(u.data[0].length);
              const { min, max } = u.scales.x ?? {};
              if (min !== undefined && max !== undefined)
                c.dataset.hours = String(Math.round((max - min) / 3600));
              if (!performance.getEntriesByName("first-chart").length) performance.mark("first-chart");
            },
          },
        },
      ],
    };
  }
}
