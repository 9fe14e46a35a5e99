import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_PRINCIPAL } from "#local/sigv4";
import type { LocalStack } from "#local/stack";
import { fundWallets, get, pointersOf, post, TestClock, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/**
 * Spend reports over HTTP (issue 22's done-means): committed holds are summed by label, day and principal,
 * as JSON and as CSV, from the spend ledger the commits wrote.
 */

const clock = new TestClock(new Date("2026-12-03T10:00:00Z"));
let stack: LocalStack;
type Json = Record<string, unknown>;

async function spend(amount: number, labels?: Record<string, string>): Promise<void> {
  const made = await post<Json>(stack, "/v1/reservations", {
    accountId: "studio",
    amount,
    ...(labels ? { labels } : {}),
  });
  expect(made.status).toBe(201);
  const committed = await post<Json>(stack, `/v1/reservations/${made.body.id}/commit`, {});
  expect(committed.status).toBe(200);
}

async function csvOf(path: string): Promise<{ status: number; type: string; text: string }> {
  const response = await fetch(`${stack.url}${path}`, { headers: { accept: "text/csv" } });
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    text: await response.text(),
  };
}

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "studio" }], { checks: { maxBalanceAgeSeconds: 86_400 } }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
  fundWallets(stack, ["studio"], 100);
  await stack.pollNow(clock.tick());
  for (const amount of [2, 3, 4]) await spend(amount, { campaign: "spring" });
  clock.advance(86_400);
  await spend(1, { campaign: "fall" });
  // A report's `to` (default now) is excluded: read a second after the last commit.
  clock.advance(1);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("GET /v1/accounts/{id}/spend", () => {
  it("sums three spring commits (2, 3, 4) and one fall commit (1) by label:campaign", async () => {
    const report = await get<Json>(stack, "/v1/accounts/studio/spend?groupBy=label:campaign");
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      accountId: "studio",
      unit: "usd",
      groupBy: "label:campaign",
      total: 10,
      count: 4,
      groups: [
        { key: "spring", amount: 9, count: 3 },
        { key: "fall", amount: 1, count: 1 },
      ],
    });
    expect(report.body).not.toHaveProperty("ungrouped");
  });

  it("answers the same as CSV with a header row when Accept asks for text/csv", async () => {
    const csv = await csvOf("/v1/accounts/studio/spend?groupBy=label:campaign");
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    expect(csv.text.trim().split("\r\n")).toEqual([
      "key,amount,count,unit",
      "spring,9,3,usd",
      "fall,1,1,usd",
    ]);
  });

  it("groups by UTC day, in time order, and by the principal that made each hold", async () => {
    const days = await get<Json>(stack, "/v1/accounts/studio/spend?groupBy=day");
    expect(days.body.groups).toEqual([
      { key: "2026-12-03", amount: 9, count: 3 },
      { key: "2026-12-04", amount: 1, count: 1 },
    ]);
    const principals = await get<Json>(stack, "/v1/accounts/studio/spend?groupBy=principal");
    expect(principals.body.groups).toEqual([{ key: LOCAL_PRINCIPAL, amount: 10, count: 4 }]);
  });

  it("keeps `to` out of the range, and counts commits without the label as ungrouped", async () => {
    const firstDay = await get<Json>(
      stack,
      "/v1/accounts/studio/spend?groupBy=label:campaign&from=2026-12-03T00:00:00Z&to=2026-12-04T00:00:00Z",
    );
    expect(firstDay.body).toMatchObject({
      total: 9,
      count: 3,
      groups: [{ key: "spring", amount: 9, count: 3 }],
    });
    await spend(5);
    clock.advance(1);
    const all = await get<Json>(stack, "/v1/accounts/studio/spend?groupBy=label:campaign");
    expect(all.body).toMatchObject({ total: 15, count: 5, ungrouped: { amount: 5, count: 1 } });
    const csv = await csvOf("/v1/accounts/studio/spend?groupBy=label:campaign");
    expect(csv.text).toContain("\r\n(none),5,1,usd\r\n");
  });

  it.each([
    ["an unknown grouping", "groupBy=campaign", "/query/groupBy"],
    ["a label key the contract does not allow", "groupBy=label:Campaign", "/query/groupBy"],
    [
      "a range that ends before it starts",
      "from=2026-12-04T00:00:00Z&to=2026-12-03T00:00:00Z",
      "/query/from",
    ],
    ["a range of more than 92 days", "from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z", "/query/from"],
    ["a time that is not ISO 8601", "from=yesterday", "/query/from"],
    ["a parameter the report does not take", "group=day", "/query/group"],
  ])("%s is a 400 naming %s", async (_name, query, pointer) => {
    const refused = await get<Json>(stack, `/v1/accounts/studio/spend?${query}`);
    expect(refused.status).toBe(400);
    expect(pointersOf(refused.body)).toContain(pointer);
  });

  it("a range without a commit still says the account's unit", async () => {
    const empty = await get<Json>(
      stack,
      "/v1/accounts/studio/spend?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z",
    );
    expect(empty.body).toEqual({
      accountId: "studio",
      unit: "usd",
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-11-02T00:00:00.000Z",
      groupBy: "day",
      total: 0,
      count: 0,
      groups: [],
    });
  });

  it("an unknown account is a 404 naming it", async () => {
    const missing = await get<Json>(stack, "/v1/accounts/nobody/spend");
    expect(missing.status).toBe(404);
  });
});
