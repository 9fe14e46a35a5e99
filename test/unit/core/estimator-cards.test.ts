import { describe, expect, it } from "vitest";
import { EstimateError, estimate } from "#core/estimator";
import {
  ENGINES,
  type Engine,
  EstimateRequest,
  type EstimateRequestInput,
  JOB_TYPES,
  type JobSpecInput,
  type JobType,
  RESOLUTIONS,
  type Resolution,
  TRANSLATION_MODES,
  type TranslationMode,
} from "#core/job-spec";
import { createRateCardRegistry } from "#core/rate-card";

const registry = createRateCardRegistry();

function price(cardId: string, input: EstimateRequestInput) {
  return estimate(EstimateRequest.parse(input), registry.get(cardId));
}

interface Row {
  name: string;
  job: JobSpecInput;
  /** Seconds billed per video (null: priced per video or session). */
  billed: number | null;
  rate: number;
  /** Exact total, as the hand arithmetic in `name` gives it. */
  exact: string;
  /** The total shown: usd rounded up to cents, credits as the card rounds. */
  shown: number;
}

const PAYG: Row[] = [
  {
    name: "avatar_iv = photo avatar: 60 s × 0.05",
    job: { durationSeconds: 60 },
    billed: 60,
    rate: 0.05,
    exact: "3",
    shown: 3,
  },
  {
    name: "photo_avatar 10.2 s → 11 s (whole seconds, up) × 0.05 = 0.55",
    job: { engine: "photo_avatar", durationSeconds: 10.2 },
    billed: 11,
    rate: 0.05,
    exact: "0.55",
    shown: 0.55,
  },
  {
    name: "photo avatar 1080p costs as 720p: 20 s × 0.05 = 1",
    job: { engine: "photo_avatar", durationSeconds: 20, resolution: "1080p" },
    billed: 20,
    rate: 0.05,
    exact: "1",
    shown: 1,
  },
  {
    name: "photo avatar 4k: 60 s × 0.0667 = 4.002 → 4.01",
    job: { engine: "photo_avatar", durationSeconds: 60, resolution: "4k" },
    billed: 60,
    rate: 0.0667,
    exact: "4.002",
    shown: 4.01,
  },
  {
    name: "digital twin: 30 s × 0.0667 = 2.001 → 2.01",
    job: { engine: "digital_twin", durationSeconds: 30 },
    billed: 30,
    rate: 0.0667,
    exact: "2.001",
    shown: 2.01,
  },
  {
    name: "digital twin 4k: 12 s × 0.0833 = 0.9996 → 1.00",
    job: { engine: "digital_twin", durationSeconds: 12, resolution: "4k" },
    billed: 12,
    rate: 0.0833,
    exact: "0.9996",
    shown: 1,
  },
  {
    name: "avatar_iii ×3: 3 × 60 s × 0.0167 = 3.006 → 3.01",
    job: { engine: "avatar_iii", durationSeconds: 60, count: 3 },
    billed: 60,
    rate: 0.0167,
    exact: "3.006",
    shown: 3.01,
  },
  {
    name: "video agent: 100 s × 0.0333 = 3.33",
    job: { type: "video_agent", durationSeconds: 100 },
    billed: 100,
    rate: 0.0333,
    exact: "3.33",
    shown: 3.33,
  },
  {
    name: "translation speed_audio: 120 s × 0.0167 = 2.004 → 2.01",
    job: { type: "video_translation", translationMode: "speed_audio", durationSeconds: 120 },
    billed: 120,
    rate: 0.0167,
    exact: "2.004",
    shown: 2.01,
  },
  {
    name: "translation speed_lipsync: 120 s × 0.0333 = 3.996 → 4.00",
    job: { type: "video_translation", translationMode: "speed_lipsync", durationSeconds: 120 },
    billed: 120,
    rate: 0.0333,
    exact: "3.996",
    shown: 4,
  },
  {
    name: "translation precision: 120 s × 0.0667 = 8.004 → 8.01",
    job: { type: "video_translation", translationMode: "precision", durationSeconds: 120 },
    billed: 120,
    rate: 0.0667,
    exact: "8.004",
    shown: 8.01,
  },
  {
    name: "streaming: 600 s × 0.05 = 30",
    job: { type: "streaming", durationSeconds: 600 },
    billed: 600,
    rate: 0.05,
    exact: "30",
    shown: 30,
  },
  {
    name: "streaming 0.5 s → 1 s × 0.05 = 0.05",
    job: { type: "streaming", durationSeconds: 0.5 },
    billed: 1,
    rate: 0.05,
    exact: "0.05",
    shown: 0.05,
  },
  {
    name: "cinematic avatar: 2 videos × 7.00 flat = 14",
    job: { type: "cinematic_avatar", count: 2 },
    billed: null,
    rate: 7,
    exact: "14",
    shown: 14,
  },
  {
    name: "test: true is not documented free: 60 s × 0.05 = 3 in full",
    job: { durationSeconds: 60, test: true },
    billed: 60,
    rate: 0.05,
    exact: "3",
    shown: 3,
  },
  {
    name: "cinematic avatar: a duration is not billed, 7.00",
    job: { type: "cinematic_avatar", durationSeconds: 45 },
    billed: null,
    rate: 7,
    exact: "7",
    shown: 7,
  },
];

const CREDITS_2025: Row[] = [
  {
    name: "photo avatar 61 s → 90 s (30 s increments) × 1/min = 1.5",
    job: { engine: "photo_avatar", durationSeconds: 61 },
    billed: 90,
    rate: 1,
    exact: "1.5",
    shown: 1.5,
  },
  {
    name: "photo avatar 60 s exactly → 60 s × 1/min = 1",
    job: { engine: "photo_avatar", durationSeconds: 60 },
    billed: 60,
    rate: 1,
    exact: "1",
    shown: 1,
  },
  {
    name: "video avatar 45 s → 60 s × 2/min = 2",
    job: { engine: "video_avatar", durationSeconds: 45 },
    billed: 60,
    rate: 2,
    exact: "2",
    shown: 2,
  },
  {
    name: "avatar_iv (default) 30 s × 6/min = 3",
    job: { durationSeconds: 30 },
    billed: 30,
    rate: 6,
    exact: "3",
    shown: 3,
  },
  {
    name: "avatar_iv 1080p costs as 720p: 31 s → 60 s × 6/min = 6",
    job: { engine: "avatar_iv", durationSeconds: 31, resolution: "1080p" },
    billed: 60,
    rate: 6,
    exact: "6",
    shown: 6,
  },
  {
    name: "translation fast 100 s → 120 s × 3/min = 6",
    job: { type: "video_translation", translationMode: "fast", durationSeconds: 100 },
    billed: 120,
    rate: 3,
    exact: "6",
    shown: 6,
  },
  {
    name: "translation quality 10 s → 30 s × 6/min = 3",
    job: { type: "video_translation", translationMode: "quality", durationSeconds: 10 },
    billed: 30,
    rate: 6,
    exact: "3",
    shown: 3,
  },
  {
    name: "streaming 10 s → 30 s minimum × 0.2/min = 0.1",
    job: { type: "streaming", durationSeconds: 10 },
    billed: 30,
    rate: 0.2,
    exact: "0.1",
    shown: 0.1,
  },
  {
    name: "streaming 44.2 s → 45 s (1 s increments after the minimum) × 0.2/min = 0.15",
    job: { type: "streaming", durationSeconds: 44.2 },
    billed: 45,
    rate: 0.2,
    exact: "0.15",
    shown: 0.15,
  },
  {
    name: "streaming 31 s × 0.2/min = 6.2/60 = 31/300 (no finite decimal)",
    job: { type: "streaming", durationSeconds: 31 },
    billed: 31,
    rate: 0.2,
    exact: "31/300",
    shown: 31 / 300,
  },
  {
    name: "test: true is free: photo avatar 61 s → 90 s billed, cost 0",
    job: { engine: "photo_avatar", durationSeconds: 61, test: true },
    billed: 90,
    rate: 1,
    exact: "0",
    shown: 0,
  },
];

const SKILL_GUIDE: Row[] = [
  {
    name: "90 s at 1080p: 1.5 min × 1 × 1.5 = 2.25 → ceil 3",
    job: { durationSeconds: 90, resolution: "1080p" },
    billed: 90,
    rate: 1.5,
    exact: "3",
    shown: 3,
  },
  {
    name: "90 s at 720p: 1.5 min × 1 = 1.5 → ceil 2",
    job: { durationSeconds: 90 },
    billed: 90,
    rate: 1,
    exact: "2",
    shown: 2,
  },
  {
    name: "60 s at 720p: 1 min × 1 = 1",
    job: { durationSeconds: 60 },
    billed: 60,
    rate: 1,
    exact: "1",
    shown: 1,
  },
  {
    name: "each video rounds: 2 × ceil(1 min × 1.5) = 2 × 2 = 4, not ceil(3) = 3",
    job: { durationSeconds: 60, resolution: "1080p", count: 2 },
    billed: 60,
    rate: 1.5,
    exact: "4",
    shown: 4,
  },
  {
    name: "any engine is a standard video: 120 s digital twin = 2",
    job: { engine: "digital_twin", durationSeconds: 120 },
    billed: 120,
    rate: 1,
    exact: "2",
    shown: 2,
  },
  {
    name: "translation 1/min, no 1080p uplift: 150 s = 2.5 → 3",
    job: { type: "video_translation", durationSeconds: 150, resolution: "1080p" },
    billed: 150,
    rate: 1,
    exact: "3",
    shown: 3,
  },
  {
    name: "streaming: 1 per session × 3 sessions = 3",
    job: { type: "streaming", count: 3 },
    billed: null,
    rate: 1,
    exact: "3",
    shown: 3,
  },
  {
    name: "test: true is free: a 1080p streaming session costs 0",
    job: { type: "streaming", resolution: "1080p", test: true },
    billed: null,
    rate: 1,
    exact: "0",
    shown: 0,
  },
  {
    name: "streaming 1080p is still 1 per session",
    job: { type: "streaming", resolution: "1080p", durationSeconds: 900 },
    billed: null,
    rate: 1,
    exact: "1",
    shown: 1,
  },
];

/** The 2026-05 revision (developers.heygen.com/docs/pricing), items the older card lacked. */
const PAYG_2026_05: Row[] = [
  {
    name: "Avatar III at 4K: 10 s × 0.02",
    job: { engine: "avatar_iii", resolution: "4k", durationSeconds: 10 },
    billed: 10,
    rate: 0.02,
    exact: "0.2",
    shown: 0.2,
  },
  {
    name: "Studio Avatar = digital twin: 10 s × 0.0667",
    job: { engine: "studio_avatar", durationSeconds: 10 },
    billed: 10,
    rate: 0.0667,
    exact: "0.667",
    shown: 0.67,
  },
  {
    name: "Studio Avatar at 4K: 10 s × 0.0833",
    job: { engine: "studio_avatar", resolution: "4k", durationSeconds: 10 },
    billed: 10,
    rate: 0.0833,
    exact: "0.833",
    shown: 0.84,
  },
  {
    name: "Avatar V = Avatar IV: 60 s × 0.05",
    job: { engine: "avatar_v", durationSeconds: 60 },
    billed: 60,
    rate: 0.05,
    exact: "3",
    shown: 3,
  },
  {
    name: "lipsync speed: 30 s × 0.0333",
    job: { type: "lipsync", translationMode: "speed_lipsync", durationSeconds: 30 },
    billed: 30,
    rate: 0.0333,
    exact: "0.999",
    shown: 1,
  },
  {
    name: "lipsync precision: 30 s × 0.0667",
    job: { type: "lipsync", translationMode: "precision", durationSeconds: 30 },
    billed: 30,
    rate: 0.0667,
    exact: "2.001",
    shown: 2.01,
  },
  {
    name: "text to speech: 600 s × 0.000667",
    job: { type: "text_to_speech", durationSeconds: 600 },
    billed: 600,
    rate: 0.000667,
    exact: "0.4002",
    shown: 0.41,
  },
  {
    name: "avatar creation: 1.00 per call, twice",
    job: { type: "avatar_creation", count: 2 },
    billed: null,
    rate: 1,
    exact: "2",
    shown: 2,
  },
  {
    name: "Cinematic Avatar of 15 s: 7.00 per video",
    job: { type: "cinematic_avatar", durationSeconds: 15 },
    billed: null,
    rate: 7,
    exact: "7",
    shown: 7,
  },
];

/** Web plans in credits since 2026-05-15 (help.heygen.com): ~3/min Avatar III, ~20/min Avatar IV/V. */
const WEB_CREDITS_2026_05: Row[] = [
  {
    name: "Avatar III: 60 s × 3/min",
    job: { engine: "avatar_iii", durationSeconds: 60 },
    billed: 60,
    rate: 3,
    exact: "3",
    shown: 3,
  },
  {
    name: "Avatar IV: 90 s × 20/min",
    job: { durationSeconds: 90 },
    billed: 90,
    rate: 20,
    exact: "30",
    shown: 30,
  },
  {
    name: "Avatar V: 30 s × 20/min",
    job: { engine: "avatar_v", durationSeconds: 30 },
    billed: 30,
    rate: 20,
    exact: "10",
    shown: 10,
  },
];

/** Field case G8: 26 plan credits for a ~38 s Video Agent render; whole credits, each video rounded up. */
const PLAN_CREDITS_2026_09: Row[] = [
  {
    name: "Video Agent: 38 s × 0.7/s = 26.6 → ceil 27 (the live render took 26)",
    job: { type: "video_agent", durationSeconds: 38 },
    billed: 38,
    rate: 0.7,
    exact: "27",
    shown: 27,
  },
  {
    name: "Avatar IV: 30 s × 20/min = 10",
    job: { durationSeconds: 30 },
    billed: 30,
    rate: 20,
    exact: "10",
    shown: 10,
  },
  {
    name: "Avatar III: 45 s × 3/min = 2.25 → ceil 3",
    job: { engine: "avatar_iii", durationSeconds: 45 },
    billed: 45,
    rate: 3,
    exact: "3",
    shown: 3,
  },
];

describe("Cinematic Avatar on the 2026-05 card", () => {
  it.each([3, 16])("refuses %i s (HeyGen takes 4 to 15 s), naming durationSeconds", (seconds) => {
    const error = catchError(() =>
      price("heygen-payg-2026-05", { type: "cinematic_avatar", durationSeconds: seconds }),
    );
    expect(error).toBeInstanceOf(EstimateError);
    expect((error as EstimateError).pointer).toBe("/durationSeconds");
  });

  it("refuses 4K", () => {
    const error = catchError(() =>
      price("heygen-payg-2026-05", { type: "cinematic_avatar", durationSeconds: 10, resolution: "4k" }),
    );
    expect((error as EstimateError).pointer).toBe("/resolution");
  });
});

describe.each([
  ["heygen-payg-2026-05", "usd", PAYG_2026_05],
  ["heygen-web-credits-2026-05", "credits", WEB_CREDITS_2026_05],
  ["heygen-payg-2026", "usd", PAYG],
  ["heygen-api-credits-2025", "credits", CREDITS_2025],
  ["heygen-skill-guide", "credits", SKILL_GUIDE],
  ["heygen-plan-credits-2026-09", "credits", PLAN_CREDITS_2026_09],
] as const)("rate card %s", (cardId, unit, rows) => {
  it.each(rows)("$name", ({ job, billed, rate, exact, shown }) => {
    const answer = price(cardId, job);

    expect(answer).toMatchObject({ rateCard: cardId, unit, totalExact: exact, total: shown });
    expect(answer.lines).toHaveLength(1);
    expect(answer.lines[0]).toMatchObject({ billableSeconds: billed, rate, count: job.count ?? 1 });
  });
});

describe("notes explain what the card did", () => {
  it("says how avatar_iv alone is priced on the pay-as-you-go card", () => {
    const [line] = price("heygen-payg-2026", { durationSeconds: 5 }).lines;
    expect(line).toMatchObject({ engine: "avatar_iv", item: "Avatar IV photo avatar" });
    expect(line?.notes.join("\n")).toContain("avatar_iv priced as photo_avatar");
  });

  it("says when seconds were rounded up and to what", () => {
    const [line] = price("heygen-api-credits-2025", { engine: "photo_avatar", durationSeconds: 61 }).lines;
    expect(line?.notes).toContain("61 s billed as 90 s (30 s increments)");
  });

  it("says when a streaming session was raised to its minimum", () => {
    const [line] = price("heygen-api-credits-2025", { type: "streaming", durationSeconds: 10 }).lines;
    expect(line?.notes).toContain("10 s billed as 30 s (1 s increments, 30 s minimum)");
  });

  it("says when a skill-guide video was rounded up to a whole credit", () => {
    const [line] = price("heygen-skill-guide", { durationSeconds: 90, resolution: "1080p" }).lines;
    expect(line?.notes).toContain("2.25 credits per video rounded up to 3");
  });

  it("says that translation is billed on the source duration", () => {
    const [line] = price("heygen-payg-2026", {
      type: "video_translation",
      translationMode: "precision",
      durationSeconds: 5,
    }).lines;
    expect(line?.notes).toContain("billed on the source video's duration");
  });
});

/**
 * What each card prices, written out by hand from docs/estimates.md, independently of the JSON cards.
 * A combination not listed here must be refused with an EstimateError pointing at the first field
 * the card cannot price, in the order type → engine → translationMode → resolution.
 */
type Tiers = readonly Resolution[];
const HD: Tiers = ["720p", "1080p"];
const ALL: Tiers = RESOLUTIONS;
interface Priced {
  /** Tiers for a type priced whatever the engine and mode. */
  tiers?: Tiers;
  engines?: Partial<Record<Engine, Tiers>>;
  modes?: Partial<Record<TranslationMode, Tiers>>;
}
const PRICED: Record<string, Partial<Record<JobType, Priced>>> = {
  "heygen-payg-2026-05": {
    avatar_video: {
      engines: {
        avatar_iv: ALL,
        avatar_v: ALL,
        photo_avatar: ALL,
        digital_twin: ALL,
        studio_avatar: ALL,
        avatar_iii: ALL,
      },
    },
    video_agent: { tiers: HD },
    video_translation: { modes: { speed_audio: HD, speed_lipsync: HD, precision: HD } },
    lipsync: { modes: { speed_lipsync: HD, precision: HD } },
    text_to_speech: { tiers: HD },
    avatar_creation: { tiers: HD },
    streaming: { tiers: HD },
    cinematic_avatar: { tiers: HD },
  },
  "heygen-web-credits-2026-05": {
    avatar_video: { engines: { avatar_iv: HD, avatar_v: HD, photo_avatar: HD, avatar_iii: HD } },
  },
  "heygen-plan-credits-2026-09": {
    avatar_video: { engines: { avatar_iv: HD, avatar_v: HD, photo_avatar: HD, avatar_iii: HD } },
    video_agent: { tiers: HD },
  },
  "heygen-payg-2026": {
    avatar_video: { engines: { avatar_iv: ALL, photo_avatar: ALL, digital_twin: ALL, avatar_iii: HD } },
    video_agent: { tiers: HD },
    video_translation: { modes: { speed_audio: HD, speed_lipsync: HD, precision: HD } },
    streaming: { tiers: HD },
    cinematic_avatar: { tiers: HD },
  },
  "heygen-api-credits-2025": {
    avatar_video: { engines: { photo_avatar: HD, video_avatar: HD, avatar_iv: HD } },
    video_translation: { modes: { fast: HD, quality: HD } },
    streaming: { tiers: HD },
  },
  "heygen-skill-guide": {
    avatar_video: { tiers: HD },
    video_translation: { tiers: HD },
    streaming: { tiers: HD },
  },
};

interface Combination {
  type: JobType;
  engine?: Engine;
  translationMode?: TranslationMode;
  resolution: Resolution;
}

function combinations(): Combination[] {
  const all: Combination[] = [];
  for (const type of JOB_TYPES) {
    const modes =
      type === "video_translation" || type === "lipsync" ? [undefined, ...TRANSLATION_MODES] : [undefined];
    for (const engine of [undefined, ...ENGINES]) {
      for (const translationMode of modes) {
        for (const resolution of RESOLUTIONS) all.push({ type, engine, translationMode, resolution });
      }
    }
  }
  return all;
}

/** The field the hand table says is refused first, or null when the combination is priced. */
function expectedRefusal(priced: Partial<Record<JobType, Priced>>, job: Combination): string | null {
  const rule = priced[job.type];
  if (!rule) return "type";
  let tiers = rule.tiers;
  if (rule.engines) {
    tiers = rule.engines[job.engine ?? "avatar_iv"];
    if (!tiers) return "engine";
  }
  if (rule.modes) {
    if (!job.translationMode) return "translationMode";
    tiers = rule.modes[job.translationMode];
    if (!tiers) return "translationMode";
  }
  return tiers?.includes(job.resolution) ? null : "resolution";
}

describe.each(Object.entries(PRICED))("every combination on %s", (cardId, priced) => {
  it("is priced exactly when the hand table says so, else refused at the right field", () => {
    for (const job of combinations()) {
      const expected = expectedRefusal(priced, job);
      // 10 s fits every card's limits (Cinematic Avatar: 4 to 15 s on the 2026-05 card).
      const attempt = () =>
        price(cardId, { jobs: [{ durationSeconds: 60 }, { ...job, durationSeconds: 10 }] });
      if (expected === null) {
        expect(attempt().lines[1]?.cost, JSON.stringify(job)).toBeGreaterThan(0);
        continue;
      }
      const error = catchError(attempt);
      expect(error, JSON.stringify(job)).toBeInstanceOf(EstimateError);
      expect((error as EstimateError).pointer, JSON.stringify(job)).toBe(`/jobs/1/${expected}`);
      expect((error as EstimateError).message).toContain(cardId);
      expect((error as EstimateError).message).toContain(expected);
    }
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error, got an estimate");
}
