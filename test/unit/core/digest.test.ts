import { describe, expect, it } from "vitest";
import { DIGEST_TOP, digestFacts, digestSubject, dueDigestPeriod } from "#core/digest";
import type { SpendEntry } from "#core/spend-ledger";

const entry = (reservationId: string, amount: number, more: Partial<SpendEntry> = {}): SpendEntry => ({
  at: "2026-12-03T10:00:00Z",
  accountId: "studio",
  reservationId,
  seq: 2,
  amount,
  unit: "usd",
  final: true,
  ...more,
});

describe("the digest's period", () => {
  it("is yesterday once the send hour has passed, and the day before until then", () => {
    expect(dueDigestPeriod(new Date("2026-12-04T09:00:00Z"), "day", 8)).toEqual({
      every: "day",
      key: "2026-12-03",
      from: "2026-12-03T00:00:00.000Z",
      to: "2026-12-04T00:00:00.000Z",
    });
    expect(dueDigestPeriod(new Date("2026-12-04T07:59:59Z"), "day", 8).key).toBe("2026-12-02");
    expect(dueDigestPeriod(new Date("2026-12-04T00:00:00Z"), "day", 0).key).toBe("2026-12-03");
  });

  it("is last ISO week (Monday to Monday) from Monday's send hour", () => {
    expect(dueDigestPeriod(new Date("2026-12-07T08:00:00Z"), "week", 8)).toEqual({
      every: "week",
      key: "2026-W49",
      from: "2026-11-30T00:00:00.000Z",
      to: "2026-12-07T00:00:00.000Z",
    });
    expect(dueDigestPeriod(new Date("2026-12-07T07:00:00Z"), "week", 8).key).toBe("2026-W48");
  });
});

describe("the digest's facts", () => {
  const period = dueDigestPeriod(new Date("2026-12-04T09:00:00Z"), "day", 8);

  it("sums the period, lists the top label values across keys, the budgets and the largest jobs", () => {
    const facts = digestFacts(
      [
        entry("rsv_a", 2, { labels: { campaign: "spring", client: "acme" }, budget: "marketing" }),
        entry("rsv_b", 3, { labels: { campaign: "spring" }, jobType: "avatar_video" }),
        entry("rsv_b", 1.5, { labels: { campaign: "spring" }, jobType: "avatar_video", seq: 3 }),
        entry("rsv_c", 1, { labels: { campaign: "fall" } }),
      ],
      period,
      10,
    );
    expect(facts).toMatchObject({
      every: "day",
      period: "2026-12-03",
      spent: 7.5,
      commits: 4,
      unexplained: 10,
    });
    expect(facts.topLabels.map((l) => [l.label, l.value, l.amount])).toEqual([
      ["campaign", "spring", 6.5],
      ["client", "acme", 2],
      ["campaign", "fall", 1],
    ]);
    expect(facts.budgets).toEqual([{ key: "marketing", amount: 2, count: 1 }]);
    expect(facts.largestJobs.map((j) => [j.reservationId, j.amount])).toEqual([
      ["rsv_b", 4.5],
      ["rsv_a", 2],
      ["rsv_c", 1],
    ]);
  });

  it(`lists at most ${DIGEST_TOP} of each`, () => {
    const entries = Array.from({ length: 8 }, (_, i) =>
      entry(`rsv_${i}`, i + 1, { labels: { client: `c${i}` } }),
    );
    const facts = digestFacts(entries, period);
    expect(facts.topLabels).toHaveLength(DIGEST_TOP);
    expect(facts.largestJobs.map((j) => j.amount)).toEqual([8, 7, 6, 5, 4]);
    expect(facts).not.toHaveProperty("unexplained");
  });

  it("has a subject of at most 100 characters that says what was spent and what is left", () => {
    const facts = digestFacts([entry("rsv_a", 10)], period);
    expect(digestSubject("studio", facts, "usd", 90)).toBe(
      "[Quota Guard] studio daily digest 2026-12-03: $10.00 spent, $90.00 left",
    );
    expect(digestSubject("a".repeat(40), facts, "credits", 1e12).length).toBeLessThanOrEqual(100);
  });
});
