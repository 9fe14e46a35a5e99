import type { Unit } from "./balance.ts";
import { Rational } from "./decimal.ts";
import type { Estimate, EstimateLine } from "./estimate.ts";
import { type Engine, type EstimateRequest, type JobSpec, jobsOf, type Resolution } from "./job-spec.ts";
import { pricedTiers, type RateCard, type RateItem, staleCardWarning, tierPrices } from "./rate-card.ts";
import { scriptDuration } from "./script-duration.ts";

/**
 * Prices job specs with a rate card (docs/estimates.md). All arithmetic is exact (see decimal.ts); usd is rounded
 * up to cents only in the `total` shown, credits keep the card's own rounding.
 */

export const DEFAULT_ENGINE: Engine = "avatar_iv";
export const DEFAULT_RESOLUTION: Resolution = "720p";

export type { Estimate, EstimateLine } from "./estimate.ts";

/** A job the card does not price, or prices only with a field the job lacks; the API answers 422. */
export class EstimateError extends Error {
  override readonly name = "EstimateError";
  constructor(
    /** JSON pointer to the field in the request, e.g. `/jobs/0/resolution` or `/resolution`. */
    readonly pointer: string,
    readonly cardId: string,
    message: string,
  ) {
    super(message);
  }

  get field(): string {
    return this.pointer.slice(this.pointer.lastIndexOf("/") + 1);
  }
}

interface PricedJob {
  line: EstimateLine;
  cost: Rational;
  assumptions: string[];
  warnings: string[];
}

/** Where a job sits in the request, for pointers and messages. */
interface JobContext {
  card: RateCard;
  index: number;
  pointer: string;
  label: string;
}

/** When the estimate is made, for the card-age warning (`checks.rateCardMaxAgeDays`); none without it. */
export interface CardAgeRule {
  now: Date;
  maxAgeDays: number;
}

/**
 * Prices `request` with `card`: exact per-line costs and a total (usd rounded up to cents). Throws
 * EstimateError (naming the field by JSON pointer) for a job the card does not price. With `age`, a card
 * retrieved more than `age.maxAgeDays` ago adds a warning.
 */
export function estimate(request: EstimateRequest, card: RateCard, age?: CardAgeRule): Estimate {
  const jobs = jobsOf(request);
  const priced = jobs.map(({ job, pointer }, index) =>
    priceJob(job, { card, index, pointer, label: jobs.length > 1 ? `job ${index}: ` : "" }),
  );
  const exactTotal = priced.reduce((sum, job) => sum.add(job.cost), Rational.ZERO);
  return {
    rateCard: card.id,
    unit: card.unit,
    total: shownTotal(exactTotal, card.unit),
    totalExact: exactTotal.toExactString(),
    lines: priced.map((job) => job.line),
    assumptions: [...new Set(priced.flatMap((job) => job.assumptions))],
    warnings: [
      ...(age ? [staleCardWarning(card, age.now, age.maxAgeDays)] : []),
      ...priced.flatMap((job) => job.warnings),
    ].filter((warning): warning is string => warning !== undefined),
  };
}

function shownTotal(total: Rational, unit: Unit): number {
  return (unit === "usd" ? total.ceilToDecimals(2) : total).toNumber();
}

function priceJob(job: JobSpec, context: JobContext): PricedJob {
  const { card } = context;
  const match = matchItem(job, context);
  const tier = tierOf(job);
  const rate = rateAt(match.item, tier, context);
  const duration = durationOf(job);
  checkDurationLimits(match.item, duration.seconds, context);
  const billable = billableSeconds(match.item, duration.seconds, context);
  const perVideo = roundedPerVideo(costOf(match.item, rate, billable.seconds), card);
  const test = testMode(job, card, context.label);
  const cost = (test.free ? Rational.ZERO : perVideo.cost).mul(Rational.of(job.count));
  const notes = [match.notes, tier.note, billable.note, perVideo.note, test.note, match.item.notes];

  return {
    cost,
    assumptions: duration.assumptions.map((assumption) => `${context.label}${assumption}`),
    warnings: test.warning ? [test.warning] : [],
    line: {
      job: context.index,
      type: job.type,
      engine: match.engine,
      item: match.item.label,
      resolution: tier.tier,
      billableSeconds: billable.seconds?.toNumber() ?? null,
      rate: rate.toNumber(),
      rateUnit: `${card.unit}/${match.item.per}`,
      cost: cost.toNumber(),
      count: job.count,
      notes: notes.flat().filter((note): note is string => note !== undefined),
    },
  };
}

/** A "ceil-total" card charges each video a whole unit (the quota guide's Math.ceil). */
function roundedPerVideo(exact: Rational, card: RateCard): { cost: Rational; note?: string } {
  if (card.billing.rounding !== "ceil-total") return { cost: exact };
  const cost = exact.ceil();
  if (cost.compare(exact) === 0) return { cost };
  return { cost, note: `${exact.toDecimalString(4)} ${card.unit} per video rounded up to ${cost}` };
}

function testMode(
  job: JobSpec,
  card: RateCard,
  label: string,
): { free: boolean; note?: string; warning?: string } {
  if (!job.test) return { free: false };
  if (card.testMode === "free") return { free: true, note: `test: true is free on rate card "${card.id}"` };
  return {
    free: false,
    warning: `${label}rate card "${card.id}" does not document a free test mode; test: true is estimated at full cost`,
  };
}

interface ItemMatch {
  item: RateItem;
  engine: Engine | null;
  notes: string[];
}

/** The one item pricing the job's type, engine and translation mode, or an EstimateError naming the field. */
function matchItem(job: JobSpec, context: JobContext): ItemMatch {
  const { card, pointer } = context;
  const ofType = card.items.filter((item) => item.type === job.type);
  if (ofType.length === 0) {
    const types = [...new Set(card.items.map((item) => item.type))];
    throw unpriced(context, "type", `type "${job.type}"`, types);
  }

  const requested = job.engine ?? DEFAULT_ENGINE;
  const engine = card.engineAliases[requested] ?? requested;
  const forEngine = ofType.filter((item) => !item.engines || item.engines.includes(engine));
  if (forEngine.length === 0) {
    const engines = ofType.flatMap((item) => item.engines ?? []);
    const aliases = Object.keys(card.engineAliases) as Engine[];
    throw unpriced(context, "engine", `engine "${requested}" for ${job.type}`, [...engines, ...aliases]);
  }

  const mode = job.translationMode;
  const candidates = mode
    ? forEngine.filter((item) => !item.translationModes || item.translationModes.includes(mode))
    : forEngine;
  const modes = forEngine.flatMap((item) => item.translationModes ?? []);
  if (candidates.length === 0) throw unpriced(context, "translationMode", `translationMode "${mode}"`, modes);
  const [item] = candidates;
  if (!item || candidates.length > 1) {
    throw new EstimateError(
      `${pointer}/translationMode`,
      card.id,
      `translationMode is required: rate card "${card.id}" prices ${job.type} by mode (${modes.join(", ")})`,
    );
  }
  return { item, ...engineOf(job, item, engine, card) };
}

function engineOf(
  job: JobSpec,
  item: RateItem,
  engine: Engine,
  card: RateCard,
): { engine: Engine | null; notes: string[] } {
  if (!item.engines) {
    const ignored = job.engine
      ? [`engine ${job.engine} ignored: "${card.id}" prices ${item.label} whatever the engine`]
      : [];
    return { engine: null, notes: ignored };
  }
  const requested = job.engine ?? DEFAULT_ENGINE;
  const aliased =
    requested === engine ? [] : [`engine ${requested} priced as ${engine} (${item.label}) on "${card.id}"`];
  return { engine: requested, notes: aliased };
}

interface Tier {
  tier: Resolution;
  field: "resolution" | "dimension";
  /** How the job asked for it, for messages. */
  asked: string;
  note?: string;
}

function tierOf(job: JobSpec): Tier {
  if (!job.dimension) {
    const tier = job.resolution ?? DEFAULT_RESOLUTION;
    return { tier, field: "resolution", asked: `resolution "${tier}"` };
  }
  const { width, height } = job.dimension;
  const tier = tierForLongerSide(Math.max(width, height));
  return {
    tier,
    field: "dimension",
    asked: `dimension ${width}×${height} (${tier})`,
    note: `dimension ${width}×${height} → ${tier}`,
  };
}

/** HeyGen's tiers by the longer side: ≤1280 is 720p, ≤1920 is 1080p, anything larger is 4k. */
export function tierForLongerSide(pixels: number): Resolution {
  if (pixels <= 1280) return "720p";
  if (pixels <= 1920) return "1080p";
  return "4k";
}

function rateAt(item: RateItem, tier: Tier, context: JobContext): Rational {
  const price = tierPrices(context.card, item)[tier.tier];
  if (!price) {
    throw unpriced(context, tier.field, `${tier.asked} for ${item.label}`, pricedTiers(context.card, item));
  }
  return "rate" in price
    ? Rational.parse(price.rate)
    : Rational.parse(item.rate).mul(Rational.parse(price.multiplier));
}

interface Duration {
  /** Seconds of one video; null when the job gives none. */
  seconds: Rational | null;
  assumptions: string[];
}

function durationOf(job: JobSpec): Duration {
  if (job.durationSeconds !== undefined) {
    return { seconds: Rational.fromNumber(job.durationSeconds), assumptions: [] };
  }
  if (job.script !== undefined) {
    const spoken = scriptDuration(job.script, job.voiceSpeed ?? 1);
    return { seconds: spoken.exactSeconds, assumptions: [spoken.assumption] };
  }
  if (job.scenes !== undefined) return scenesDuration(job);
  return { seconds: null, assumptions: [] };
}

function scenesDuration(job: JobSpec): Duration {
  let seconds = Rational.ZERO;
  const assumptions: string[] = [];
  (job.scenes ?? []).forEach((scene, index) => {
    if (scene.durationSeconds !== undefined) {
      seconds = seconds.add(Rational.fromNumber(scene.durationSeconds));
      return;
    }
    const spoken = scriptDuration(scene.script ?? "", scene.voiceSpeed ?? job.voiceSpeed ?? 1);
    seconds = seconds.add(spoken.exactSeconds);
    assumptions.push(`scene ${index}: ${spoken.assumption}`);
  });
  return { seconds, assumptions };
}

interface Billable {
  seconds: Rational | null;
  note?: string;
}

/** One video's billed seconds: rounded up to the increment, at least the minimum (item overrides card). */
function billableSeconds(item: RateItem, seconds: Rational | null, context: JobContext): Billable {
  const { card, pointer } = context;
  if (item.per === "video" || item.per === "session" || item.per === "call") {
    return { seconds: null, ...(seconds ? { note: `duration not billed: priced per ${item.per}` } : {}) };
  }
  if (!seconds) {
    throw new EstimateError(
      `${pointer}/durationSeconds`,
      card.id,
      `durationSeconds, script or scenes is required: rate card "${card.id}" prices ${item.label} per ${item.per}`,
    );
  }
  const cardIncrement =
    card.billing.rounding === "up-per-increment" ? card.billing.incrementSeconds : undefined;
  const increment = item.billing?.incrementSeconds ?? cardIncrement;
  const minimum = Rational.fromNumber(item.billing?.minimumSeconds ?? card.billing.minimumSeconds);
  const rounded = increment === undefined ? seconds : seconds.ceilToMultiple(Rational.fromNumber(increment));
  const billed = rounded.max(minimum);
  if (billed.compare(seconds) === 0) return { seconds: billed };
  const rule = [increment ? `${increment} s increments` : "", minimum.isZero() ? "" : `${minimum} s minimum`]
    .filter(Boolean)
    .join(", ");
  return { seconds: billed, note: `${seconds.toDecimalString(3)} s billed as ${billed} s (${rule})` };
}

function costOf(item: RateItem, rate: Rational, seconds: Rational | null): Rational {
  switch (item.per) {
    case "second":
      return rate.mul(seconds ?? Rational.ZERO);
    case "minute":
      return rate.mul(seconds ?? Rational.ZERO).div(Rational.of(60));
    case "video":
    case "session":
    case "call":
      return rate;
  }
}

/** A duration outside what HeyGen accepts for the item (e.g. Cinematic Avatar, 4–15 s) is refused. */
function checkDurationLimits(item: RateItem, seconds: Rational | null, context: JobContext): void {
  const limits = item.durationLimits;
  if (!limits || !seconds) return;
  const below =
    limits.minSeconds !== undefined && seconds.compare(Rational.fromNumber(limits.minSeconds)) < 0;
  const above =
    limits.maxSeconds !== undefined && seconds.compare(Rational.fromNumber(limits.maxSeconds)) > 0;
  if (!below && !above) return;
  throw new EstimateError(
    `${context.pointer}/durationSeconds`,
    context.card.id,
    `${item.label} takes ${limits.minSeconds ?? 0} to ${limits.maxSeconds ?? "any"} s per video on rate card ` +
      `"${context.card.id}"; this job is ${seconds.toDecimalString(3)} s`,
  );
}

function unpriced(
  context: JobContext,
  field: string,
  what: string,
  priced: readonly string[],
): EstimateError {
  const { card, pointer } = context;
  const known = [...new Set(priced)];
  return new EstimateError(
    `${pointer}/${field}`,
    card.id,
    `${what} is not priced by rate card "${card.id}"${known.length ? ` (priced: ${known.join(", ")})` : ""}`,
  );
}
