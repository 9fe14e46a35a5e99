import { describe, expect, it } from "vitest";
import { prefersCsv } from "#api/request";
import { MAX_REPORT_DAYS, reportRange } from "#core/report-range";
import type { SpendEntry } from "#core/spend-ledger";
import { parseSpendGrouping, spendCsv, sumSpend } from "#core/spend-report";

const entry = (at: string, amount: number, more: Partial<SpendEntry> = {}): SpendEntry => ({
  at,
  accountId: "studio",
  reservationId: `rsv_studio_${at}`,
  seq: 2,
  amount,
  unit: "credits",
  final: true,
  ...more,
});

describe("spend report grouping", () => {
  it("reads label:<key> and the fixed groupings, and nothing else", () => {
    expect(parseSpendGrouping("label:campaign")).toEqual({ kind: "label", key: "campaign" });
    expect(parseSpendGrouping("week")).toEqual({ kind: "week" });
    for (const bad of ["label:", "label:Campaign", "labels:campaign", "campaign", "Day", ""]) {
      expect(parseSpendGrouping(bad), bad).toBeUndefined();
    }
  });

  it("sums per label, largest first, keeps the unlabelled apart, and rounds sums of fractions", () => {
    const totals = sumSpend(
      [
        entry("2026-03-01T10:00:00Z", 0.1, { labels: { campaign: "fall" } }),
        entry("2026-03-01T11:00:00Z", 0.2, { labels: { campaign: "fall" } }),
        entry("2026-03-01T12:00:00Z", 4, { labels: { campaign: "spring" } }),
        entry("2026-03-01T13:00:00Z", 1.5, { labels: { client: "acme" } }),
      ],
      { kind: "label", key: "campaign" },
    );
    expect(totals).toEqual({
      unit: "credits",
      total: 5.8,
      count: 4,
      groups: [
        { key: "spring", amount: 4, count: 1 },
        { key: "fall", amount: 0.3, count: 2 },
      ],
      ungrouped: { amount: 1.5, count: 1 },
    });
  });

  it("groups by UTC day, ISO week (Monday first) and month in time order, whatever the amounts", () => {
    const entries = [
      entry("2026-03-01T23:30:00Z", 1), // a Sunday: ISO week 9
      entry("2026-03-02T00:30:00Z", 5), // Monday: week 10
      entry("2026-02-28T12:00:00Z", 2),
    ];
    expect(sumSpend(entries, { kind: "day" }).groups.map((g) => g.key)).toEqual([
      "2026-02-28",
      "2026-03-01",
      "2026-03-02",
    ]);
    expect(sumSpend(entries, { kind: "week" }).groups).toEqual([
      { key: "2026-W09", amount: 3, count: 2 },
      { key: "2026-W10", amount: 5, count: 1 },
    ]);
    expect(sumSpend(entries, { kind: "month" }).groups.map((g) => g.key)).toEqual(["2026-02", "2026-03"]);
  });

  it("an empty range sums to zero with no unit and no groups", () => {
    expect(sumSpend([], { kind: "budget" })).toEqual({ total: 0, count: 0, groups: [] });
  });
});

describe("spend report CSV", () => {
  it("has a header row, then a row per group and (none) for the ungrouped, so the amounts sum to the total", () => {
    const csv = spendCsv({
      unit: "usd",
      total: 3,
      count: 3,
      groups: [{ key: "spring", amount: 2, count: 2 }],
      ungrouped: { amount: 1, count: 1 },
    });
    expect(csv).toBe("key,amount,count,unit\r\nspring,2,2,usd\r\n(none),1,1,usd\r\n");
  });

  it("quotes commas and quotes, and defuses a value a spreadsheet would run as a formula", () => {
    const csv = spendCsv({
      total: 3,
      count: 3,
      groups: [
        { key: 'a,"b"', amount: 1, count: 1 },
        { key: "=HYPERLINK(1)", amount: 1, count: 1 },
        { key: "-5", amount: 1, count: 1 },
      ],
    });
    expect(csv.split("\r\n").slice(1, 4)).toEqual(['"a,""b""",1,1,', "'=HYPERLINK(1),1,1,", "-5,1,1,"]);
  });
});

describe("report ranges", () => {
  const now = new Date("2026-12-04T12:00:00Z");

  it("defaults to the 30 days to now", () => {
    expect(reportRange({}, now)).toEqual({
      range: { from: "2026-11-04T12:00:00.000Z", to: "2026-12-04T12:00:00.000Z" },
    });
  });

  it("refuses a range that does not go forward, naming from (and to when it was given)", () => {
    const refused = reportRange({ from: "2026-12-04T12:00:00Z", to: "2026-12-04T12:00:00+00:00" }, now);
    expect("issues" in refused && refused.issues.map((i) => i.pointer)).toEqual(["/query/from", "/query/to"]);
  });

  it(`allows ${MAX_REPORT_DAYS} days and refuses a millisecond more`, () => {
    const to = Date.parse("2026-12-01T00:00:00Z");
    const from = (ms: number) => new Date(to - ms).toISOString();
    const span = MAX_REPORT_DAYS * 86_400_000;
    expect(reportRange({ from: from(span), to: new Date(to).toISOString() }, now)).toHaveProperty("range");
    expect(reportRange({ from: from(span + 1), to: new Date(to).toISOString() }, now)).toHaveProperty(
      "issues",
    );
  });
});

describe("Accept negotiation", () => {
  it.each([
    [null, false],
    ["application/json", false],
    ["text/csv", true],
    ["text/csv, application/json", true],
    ["application/json, text/csv", false],
    ["application/json, text/csv;q=0.5", false],
    ["text/csv;q=0.9, */*;q=0.9", true],
    ["*/*", false],
    ["text/csv;q=0", false],
    ["text/html", false],
  ])("%s → CSV %s", (accept, csv) => {
    expect(prefersCsv(accept)).toBe(csv);
  });
});
