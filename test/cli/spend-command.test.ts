import { afterAll, beforeAll, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { cliAgainst } from "#test/support/cli";
import { post, startOneAccountStack } from "#test/support/e2e";

/**
 * `quota-guard spend` against the local stack (issue 22): three `spring` commits (2, 3, 4) and one `fall`
 * (1), reported by `label:campaign` as JSON, a table, bars and CSV; bad flags are usage errors naming them.
 */

let stack: LocalStack;
type Json = Record<string, unknown>;

async function spend(amount: number, campaign: string): Promise<void> {
  const made = await post<Json>(stack, "/v1/reservations", { amount, labels: { campaign } });
  expect(made.status).toBe(201);
  expect((await post(stack, `/v1/reservations/${made.body.id}/commit`, {})).status).toBe(200);
}

beforeAll(async () => {
  let readCredits: (b: number) => Promise<void>;
  ({ stack, readCredits } = await startOneAccountStack("m"));
  await readCredits(100);
  for (const amount of [2, 3, 4]) await spend(amount, "spring");
  await spend(1, "fall");
}, 60_000);
afterAll(() => stack?.stop());
const cli = cliAgainst(() => stack);

it("prints the report by label as JSON, a table with shares, bars and the API's CSV", async () => {
  const json = await cli("spend", "--by", "label:campaign", "--since", "30d");
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout)).toMatchObject({
    accountId: "m",
    unit: "credits",
    groupBy: "label:campaign",
    total: 10,
    count: 4,
    groups: [
      { key: "spring", amount: 9, count: 3 },
      { key: "fall", amount: 1, count: 1 },
    ],
  });

  const human = await cli("spend", "m", "--by", "label:campaign", "--since", "30d", "--human");
  expect(human.code).toBe(0);
  const lines = human.stdout.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^m: spend by label:campaign, \S+ → \S+$/);
  expect(lines.slice(1)).toEqual([
    "key     amount     count  share",
    "spring  9 credits  3      90.0%",
    "fall    1 credits  1      10.0%",
    "total: 10 credits in 4 commits",
  ]);

  const chart = await cli("spend", "--by", "label:campaign", "--chart");
  expect(chart.code).toBe(0);
  const [, spring, fall, total] = chart.stdout.trimEnd().split("\n");
  // The largest group's bar is the full width; the others in proportion (1/9 of 40 columns: 36 eighths).
  expect(spring).toBe(`spring  ${"█".repeat(40)}  9 credits ×3`);
  expect(fall).toBe(`fall    ████▌${" ".repeat(35)}  1 credits ×1`);
  expect(total).toBe("total 10 credits in 4 commits");

  const csv = await cli("spend", "--by", "label:campaign", "--csv");
  expect(csv.code).toBe(0);
  expect(csv.stdout.trim().split("\r\n")).toEqual([
    "key,amount,count,unit",
    "spring,9,3,credits",
    "fall,1,1,credits",
  ]);
}, 90_000); // four CLI processes, each loading tsx

it("refuses a bad --by or --since before asking, and shows the API's 400 by its flag", async () => {
  const by = await cli("spend", "--by", "campaign", "--human");
  expect(by.code).toBe(2);
  expect(by.stderr).toContain("--by");
  expect(by.stderr).toContain("label:<key>");

  const since = await cli("spend", "--since", "last week", "--human");
  expect(since.code).toBe(2);
  expect(since.stderr).toContain("--since");

  // 100 days is a valid time, but more than the API's 92-day range: its 400 names /query/from, i.e. --since.
  const tooLong = await cli("spend", "--since", "100d", "--human");
  expect(tooLong.code).toBe(2);
  expect(tooLong.stderr).toMatch(/\n {2}--since: spans more than 92 days/);
  const asJson = await cli("spend", "--since", "100d");
  expect(JSON.parse(asJson.stderr).errors).toEqual([
    expect.objectContaining({ pointer: "/query/from", flag: "--since" }),
  ]);
}, 90_000);

it("refuses --csv with --human or --chart, which it would ignore", async () => {
  for (const other of ["--human", "--chart"]) {
    const both = await cli("spend", "--csv", other);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--csv");
  }
});

it("labels a hold from the shell with --label (repeatable), and lists by label; a bad one names --label", async () => {
  const held = await cli("reserve", "--amount", "5", "--label", "campaign=winter", "--label", "client=acme");
  expect(held.code).toBe(0);
  const hold = JSON.parse(held.stdout) as { id: string; labels: Json };
  expect(hold.labels).toEqual({ campaign: "winter", client: "acme" });
  const listed = await cli("reservations", "--label", "campaign=winter");
  expect(
    (JSON.parse(listed.stdout) as { reservations: { id: string }[] }).reservations.map((r) => r.id),
  ).toEqual([hold.id]);
  const checked = await cli("check", "--amount", "1", "--label", "campaign=winter");
  expect(JSON.parse(checked.stdout)).toMatchObject({ allowed: true, labels: { campaign: "winter" } });

  const noEquals = await cli("reserve", "--amount", "1", "--label", "campaign");
  expect(noEquals.code).toBe(2);
  expect(noEquals.stderr).toMatch(/--label.*key=value/);
  const badKey = await cli("reserve", "--amount", "1", "--label", "Campaign=x", "--human");
  expect(badKey.code).toBe(2);
  expect(badKey.stderr).toContain("--label:");
});
