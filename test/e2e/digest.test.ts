import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { AlertInbox, fundWallets, get, post, TestClock, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/**
 * The digest through the local stack (issue 22): with `digest.every: day`, the first poll after 08:00 UTC
 * sends yesterday's spend by label, budget and job, the unexplained consumption and the balance, once, as an
 * SNS message (email and SMS forms) and an EventBridge event; later polls send nothing more.
 */

const clock = new TestClock(new Date("2026-12-03T10:00:00Z"));
let stack: LocalStack;
let inbox: AlertInbox;
type Json = Record<string, unknown>;

async function spend(amount: number, labels: Record<string, string>): Promise<void> {
  const made = await post<Json>(stack, "/v1/reservations", { accountId: "studio", amount, labels });
  expect(made.status).toBe(201);
  expect((await post<Json>(stack, `/v1/reservations/${made.body.id}/commit`, {})).status).toBe(200);
}
const digestsOf = async () => (await inbox.take("studio")).filter((a) => a.attributes.alertType === "digest");

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "studio" }], {
      checks: { maxBalanceAgeSeconds: 86_400 },
      digest: { every: "day", hourUtc: 8 },
    }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
  inbox = new AlertInbox(stack);
  fundWallets(stack, ["studio"], 100);
  await stack.pollNow(clock.tick());
  for (const amount of [2, 3, 4]) await spend(amount, { campaign: "spring" });
  await spend(1, { campaign: "fall" });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("the daily digest", () => {
  it("is not sent before the day has ended and its hour has come", async () => {
    clock.advance(3600);
    await stack.pollNow(clock.tick());
    // The 2026-12-02 digest was due: it is sent, with nothing spent that day.
    const [empty] = await digestsOf();
    expect(empty?.subject).toBe("[Quota Guard] studio daily digest 2026-12-02: $0.00 spent, $100.00 left");
    clock.advance(3600);
    await stack.pollNow(clock.tick());
    expect(await digestsOf()).toEqual([]);
  });

  it("the first poll after 08:00 sends yesterday's spend once, by SNS and EventBridge", async () => {
    clock.advance(21 * 3600); // 2026-12-04T09:00
    await stack.pollNow(clock.tick());
    const [digest, ...more] = await digestsOf();
    expect(more).toEqual([]);
    expect(digest?.subject).toMatch(/^\[Quota Guard\] studio daily digest 2026-12-03: \$10\.00 spent/);
    expect(digest?.subject?.length).toBeLessThanOrEqual(100);
    const texts = JSON.parse(digest?.message ?? "{}") as { email: string; sms: string };
    expect(texts.email).toContain("campaign=spring: $9.00 (3 commits)");
    expect(texts.email).toContain("campaign=fall: $1.00 (1 commit)");
    expect(texts.email).toContain("Largest jobs");
    expect(texts.sms.length).toBeLessThanOrEqual(140);
    expect(texts.sms).toContain("2026-12-03: $10.00 spent");
    const events = stack.eventBridge.events.filter((e) => e.detail.alertType === "digest");
    expect(events.map((e) => (e.detail.digest as Json).period)).toEqual(["2026-12-02", "2026-12-03"]);

    clock.advance(300);
    await stack.pollNow(clock.tick());
    expect(await digestsOf()).toEqual([]);
    const log = await get<{ alerts: Json[] }>(stack, "/v1/accounts/studio/alerts");
    const logged = log.body.alerts.filter((a) => a.alertType === "digest");
    expect(logged.map((a) => [a.createdAt, a.status])).toEqual([
      ["2026-12-04T00:00:00.000Z", "sent"],
      ["2026-12-03T00:00:00.000Z", "sent"],
    ]);
    expect(logged[0]?.digest).toMatchObject({ spent: 10, commits: 4 });
    expect((logged[0]?.digest as { topLabels?: Json[] } | undefined)?.topLabels).toEqual([
      { label: "campaign", value: "spring", amount: 9, count: 3 },
      { label: "campaign", value: "fall", amount: 1, count: 1 },
    ]);
  });
});
