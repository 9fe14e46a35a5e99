import { describe, expect, it } from "vitest";
import { Labels } from "#api/schemas";
import type { Estimate } from "#core/estimate";
import type { HoldRecord } from "#core/hold-record";
import { holdLabels, labelFilterOf, MAX_LABELS, matchesLabels } from "#core/labels";
import { ledgerWriteOf } from "#core/spend-ledger";
import { pointedIssues } from "#core/zod-issues";

const AT = "2026-03-01T12:00:00.000Z";
const line = (type: string, engine: string | null) =>
  ({
    job: 0,
    type,
    engine,
    item: "x",
    resolution: "720p",
    billableSeconds: 60,
    rate: 1,
    rateUnit: "usd/min",
    cost: 1,
    count: 1,
    notes: [],
  }) as Estimate["lines"][number];
const estimate = (lines: Estimate["lines"]): Estimate => ({
  rateCard: "heygen-payg-2026-05",
  unit: "usd",
  total: 6,
  totalExact: "6",
  lines,
  assumptions: [],
  warnings: [],
});

function hold(fields: Partial<HoldRecord> = {}): HoldRecord {
  const expiresAtMs = Date.parse(AT) + 3600_000;
  return {
    accountId: "acme",
    id: "rsv_acme_1",
    amount: 6,
    status: "held",
    createdAt: AT,
    expiresAtMs,
    unit: "usd",
    version: 3,
    captures: 0,
    // 30 days of retention after the expiry, as reserve-plan.ts writes it.
    ttl: Math.floor(expiresAtMs / 1000) + 30 * 86_400,
    ...fields,
  };
}

describe("labels", () => {
  it("a hold keeps the request's labels over its budget's", () => {
    expect(holdLabels({ campaign: "spring" }, { campaign: "all", team: "video" })).toEqual({
      campaign: "spring",
      team: "video",
    });
    expect(holdLabels(undefined, undefined)).toBeUndefined();
    expect(holdLabels({}, {})).toBeUndefined();
  });

  it("a merge never passes the limit: the request's first, then the budget's that fit", () => {
    const request = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`r${i}`, "x"]));
    const merged = holdLabels(request, { a: "1", b: "2" });
    expect(Object.keys(merged ?? {})).toHaveLength(MAX_LABELS);
    expect(merged).toMatchObject({ ...request, a: "1" });
  });

  it("label.<key>=<value> parameters are the filter; others are not", () => {
    expect(labelFilterOf({ "label.campaign": "spring", status: "held", limit: undefined })).toEqual({
      campaign: "spring",
    });
    expect(matchesLabels({ campaign: "spring", team: "a" }, { campaign: "spring" })).toBe(true);
    expect(matchesLabels({ campaign: "fall" }, { campaign: "spring" })).toBe(false);
    expect(matchesLabels(undefined, { campaign: "spring" })).toBe(false);
    expect(matchesLabels(undefined, {})).toBe(true);
  });
});

describe("a commit's ledger entry", () => {
  it("a final commit of an estimated job keeps the estimate, the job's total, and who and what it was for", () => {
    const labelled = hold({
      estimate: estimate([line("avatar_video", "avatar_iv")]),
      labels: { campaign: "spring" },
      principal: "arn:aws:iam::1:user/a",
      budget: { budgetId: "marketing", periodKey: "2026-03" },
      committedAmount: 2,
    });
    const write = ledgerWriteOf(labelled, {
      part: 3,
      final: true,
      set: { committedAmount: 5, commitBasis: "event-duration" },
      at: AT,
      billed: { durationSeconds: 95, videoId: "vid_1" },
    });
    expect(write.entry).toEqual({
      at: AT,
      accountId: "acme",
      reservationId: "rsv_acme_1",
      seq: 4,
      amount: 3,
      unit: "usd",
      final: true,
      estimatedAmount: 6,
      actualAmount: 5,
      rateCard: "heygen-payg-2026-05",
      jobType: "avatar_video",
      engine: "avatar_iv",
      commitBasis: "event-duration",
      durationSeconds: 95,
      videoId: "vid_1",
      labels: { campaign: "spring" },
      principal: "arn:aws:iam::1:user/a",
      budget: "marketing",
    });
    expect(write.ttl).toBe(Math.floor(Date.parse(AT) / 1000) + 30 * 86_400);
  });

  it("a partial commit has no estimate to compare; an output's entry has its share of it", () => {
    const estimated = hold({ estimate: estimate([line("avatar_video", "avatar_iv")]) });
    const partial = ledgerWriteOf(estimated, { part: 1, final: false, set: { committedAmount: 1 }, at: AT });
    expect(partial.entry).not.toHaveProperty("estimatedAmount");
    const output = ledgerWriteOf(estimated, { part: 1.5, final: false, set: {}, at: AT, outputs: 3 });
    expect(output.entry).toMatchObject({ estimatedAmount: 2, actualAmount: 1.5 });
  });

  it("a list of jobs of several types or engines is `mixed`; an amount hold has no job type", () => {
    const mixed = hold({
      estimate: estimate([line("avatar_video", "avatar_iv"), line("translation", null)]),
    });
    const entry = ledgerWriteOf(mixed, { part: 6, final: true, set: { committedAmount: 6 }, at: AT }).entry;
    expect(entry).toMatchObject({ jobType: "mixed", engine: "avatar_iv" });
    const amount = ledgerWriteOf(hold(), { part: 6, final: true, set: { committedAmount: 6 }, at: AT }).entry;
    expect(amount).not.toHaveProperty("jobType");
    expect(amount).not.toHaveProperty("rateCard");
  });
});

describe("a label key that breaks the rule", () => {
  it("is named with the rule, not zod's 'Invalid key in record'", () => {
    const parsed = Labels.safeParse({ Campaign: "x" });
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      expect(pointedIssues(parsed.error)).toEqual([
        { pointer: "/Campaign", detail: "the key must match [a-z][a-z0-9_.-]{0,39}" },
      ]);
    }
  });
});
