import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rational } from "#core/decimal";
import { EstimateError, estimate } from "#core/estimator";
import { EstimateRequest, type JobSpecInput, RESOLUTIONS } from "#core/job-spec";
import { createRateCardRegistry } from "#core/rate-card";

const registry = createRateCardRegistry();
const cards = registry.list();

/** One job of every kind each card prices (duration, resolution and count are generated). */
const KINDS: JobSpecInput[] = [
  { engine: "avatar_iv" },
  { engine: "photo_avatar" },
  { engine: "digital_twin" },
  { engine: "avatar_iii" },
  { engine: "video_avatar" },
  { type: "video_agent" },
  { type: "video_translation", translationMode: "speed_audio" },
  { type: "video_translation", translationMode: "precision" },
  { type: "video_translation", translationMode: "fast" },
  { type: "video_translation", translationMode: "quality" },
  { type: "video_translation" },
  { type: "streaming" },
  { type: "cinematic_avatar" },
];

/** The exact cost of a request, or null when the card does not price it. */
function cost(cardIndex: number, input: unknown): Rational | null {
  const card = cards[cardIndex % cards.length];
  if (!card) throw new Error("no cards");
  try {
    return Rational.parse(estimate(EstimateRequest.parse(input), card).totalExact);
  } catch (error) {
    if (error instanceof EstimateError) return null;
    throw error;
  }
}

const cardIndex = fc.nat({ max: cards.length - 1 });
const kind = fc.constantFrom(...KINDS);
/** Tenths of a second up to the 4 h bound, so that per-second rounding is exercised. */
const seconds = fc.integer({ min: 1, max: 144_000 }).map((tenths) => tenths / 10);
const count = fc.integer({ min: 1, max: 1000 });
const tierIndex = fc.nat({ max: RESOLUTIONS.length - 1 });
const job = fc.record({
  kind,
  durationSeconds: seconds,
  count,
  resolution: fc.constantFrom(...RESOLUTIONS),
  test: fc.boolean(),
});
const asSpec = ({ kind: base, ...rest }: { kind: JobSpecInput } & JobSpecInput): JobSpecInput => ({
  ...base,
  ...rest,
});

function atLeast(larger: Rational | null, smaller: Rational | null): boolean {
  return larger === null || smaller === null || larger.compare(smaller) >= 0;
}

describe("estimate properties", () => {
  it("never costs less when the duration grows", () => {
    fc.assert(
      fc.property(cardIndex, kind, seconds, seconds, (card, base, a, b) => {
        const [shorter, longer] = a <= b ? [a, b] : [b, a];
        expect(
          atLeast(
            cost(card, { ...base, durationSeconds: longer }),
            cost(card, { ...base, durationSeconds: shorter }),
          ),
        ).toBe(true);
      }),
    );
  });

  it("never costs less when the count grows", () => {
    fc.assert(
      fc.property(cardIndex, kind, seconds, count, count, (card, base, durationSeconds, a, b) => {
        const [fewer, more] = a <= b ? [a, b] : [b, a];
        expect(
          atLeast(
            cost(card, { ...base, durationSeconds, count: more }),
            cost(card, { ...base, durationSeconds, count: fewer }),
          ),
        ).toBe(true);
      }),
    );
  });

  it("never costs less at a higher resolution", () => {
    fc.assert(
      fc.property(cardIndex, kind, seconds, tierIndex, tierIndex, (card, base, durationSeconds, a, b) => {
        const [lower, higher] = [RESOLUTIONS[Math.min(a, b)], RESOLUTIONS[Math.max(a, b)]];
        expect(
          atLeast(
            cost(card, { ...base, durationSeconds, resolution: higher }),
            cost(card, { ...base, durationSeconds, resolution: lower }),
          ),
        ).toBe(true);
      }),
    );
  });

  it("costs a job list exactly the sum of its jobs", () => {
    fc.assert(
      fc.property(cardIndex, fc.array(job, { minLength: 1, maxLength: 8 }), (card, generated) => {
        const jobs = generated.map(asSpec);
        const each = jobs.map((spec) => cost(card, spec));
        const listed = cost(card, { jobs });
        if (each.includes(null)) {
          expect(listed).toBeNull();
          return;
        }
        const sum = each.reduce<Rational>((total, one) => total.add(one ?? Rational.ZERO), Rational.ZERO);
        expect(listed?.compare(sum)).toBe(0);
      }),
    );
  });

  it("never costs more with test: true than without", () => {
    fc.assert(
      fc.property(cardIndex, job, (card, generated) => {
        const spec = asSpec(generated);
        expect(atLeast(cost(card, { ...spec, test: false }), cost(card, { ...spec, test: true }))).toBe(true);
      }),
    );
  });

  it("shows a usd total that is the exact total rounded up to a cent", () => {
    fc.assert(
      fc.property(job, (generated) => {
        const card = registry.get("heygen-payg-2026");
        let answer: ReturnType<typeof estimate>;
        try {
          answer = estimate(EstimateRequest.parse(asSpec(generated)), card);
        } catch (error) {
          if (error instanceof EstimateError) return;
          throw error;
        }
        const exact = Rational.parse(answer.totalExact);
        const shown = Rational.fromNumber(answer.total);
        expect(shown.compare(exact)).toBeGreaterThanOrEqual(0);
        expect(shown.compare(exact.add(Rational.of(1, 100)))).toBeLessThan(0);
        expect(
          shown
            .mul(Rational.of(100))
            .ceil()
            .compare(shown.mul(Rational.of(100))),
        ).toBe(0);
      }),
    );
  });
});
