import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import {
  AlertInbox,
  fundWallets,
  get,
  PROBLEM_JSON,
  pointersOf,
  post,
  TestClock,
  testConfig,
} from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/** The account's kill switch over HTTP (docs/api.md): pause, what it stops and what it lets through, resume. */

const clock = new TestClock();
let stack: LocalStack;
let inbox: AlertInbox;
type Json = Record<string, unknown>;

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "studio" }, { id: "other" }], { checks: { maxBalanceAgeSeconds: 86_400 } }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
  fundWallets(stack, ["studio", "other"], 100);
  await stack.pollNow(clock.tick());
  inbox = new AlertInbox(stack);
  await inbox.take("studio");
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("the kill switch", () => {
  let before: string;

  it("pause answers who, when and why; the account view shows it", async () => {
    before = (await post<Json>(stack, "/v1/reservations", { accountId: "studio", amount: 10 })).body
      .id as string;
    const paused = await post<Json>(stack, "/v1/accounts/studio/pause", { reason: "runaway batch job 7" });
    expect(paused.status).toBe(200);
    expect(paused.body).toEqual({
      accountId: "studio",
      paused: { reason: "runaway batch job 7", at: clock.now().toISOString(), by: expect.any(String) },
    });
    expect((await get<Json>(stack, "/v1/accounts/studio")).body.paused).toMatchObject({
      reason: "runaway batch job 7",
    });
    // Told at once, as a warning (SMS subscribers filter on critical), and logged.
    const [told] = await inbox.take("studio");
    // One time for the answer, the audit entry and the alert.
    const at = (paused.body.paused as { at: string }).at;
    const [entry] = (await get<{ entries: Json[] }>(stack, "/v1/accounts/studio/audit?limit=1")).body.entries;
    expect(entry?.at).toBe(at);
    const [logged] = (await get<{ alerts: Json[] }>(stack, "/v1/accounts/studio/alerts?limit=1")).body.alerts;
    expect(logged).toMatchObject({ alertType: "paused", createdAt: at });
    expect(told?.attributes).toMatchObject({ alertType: "paused", severity: "warning" });
    expect(told?.subject).toBe(
      "[Quota Guard] studio: HeyGen balance is paused in Quota Guard: runaway batch job 7",
    );
  });

  it("while paused, a check denies with the reason and a reserve is 409 paused; the other account is untouched", async () => {
    const check = await post<Json>(stack, "/v1/checks", {
      accountId: "studio",
      durationSeconds: 10,
    });
    expect(check.body).toMatchObject({ allowed: false, decision: "deny" });
    expect(check.body.reason).toContain("runaway batch job 7");
    const reserve = await post<Json>(stack, "/v1/reservations", { accountId: "studio", amount: 1 });
    expect([reserve.status, reserve.contentType]).toEqual([409, PROBLEM_JSON]);
    expect(reserve.body).toMatchObject({ status: 409, reason: "runaway batch job 7" });
    expect(String(reserve.body.type)).toMatch(/\/problems\/paused$/);
    expect((await post(stack, "/v1/reservations", { accountId: "other", amount: 1 })).status).toBe(201);
  });

  it("a hold made before the pause can still be committed", async () => {
    const committed = await post<Json>(stack, `/v1/reservations/${before}/commit`, { actualAmount: 7 });
    expect(committed.body).toMatchObject({ status: "committed", committedAmount: 7 });
  });

  it("resume turns it off: the check allows and the reserve is granted again", async () => {
    const resumed = await post<Json>(stack, "/v1/accounts/studio/resume");
    expect([resumed.status, resumed.body]).toEqual([200, { accountId: "studio", paused: null }]);
    expect(
      (await post<Json>(stack, "/v1/checks", { accountId: "studio", durationSeconds: 10 })).body.allowed,
    ).toBe(true);
    expect((await post(stack, "/v1/reservations", { accountId: "studio", amount: 1 })).status).toBe(201);
    expect((await get<Json>(stack, "/v1/accounts/studio")).body.paused).toBeNull();
    expect((await inbox.take("studio")).map((a) => a.attributes.alertType)).toEqual(["resumed"]);
    const log = (await get<{ alerts: Json[] }>(stack, "/v1/accounts/studio/alerts")).body.alerts;
    expect(log.slice(0, 2).map((a) => `${a.alertType}:${a.status}`)).toEqual(["resumed:sent", "paused:sent"]);
    // A resume of an account that is not paused tells no one.
    await post(stack, "/v1/accounts/studio/resume");
    expect(await inbox.take("studio")).toEqual([]);
  });

  it("a pause without a reason → 400 naming /reason; an unknown account → 404", async () => {
    for (const [body, detail] of [
      [{}, undefined],
      [{ reason: "  " }, "must not be blank"],
      [{ reason: "x".repeat(201) }, "must be at most 200 characters"],
    ] as const) {
      const refused = await post<Json>(stack, "/v1/accounts/studio/pause", body);
      expect([refused.status, pointersOf(refused.body)]).toEqual([400, ["/reason"]]);
      if (detail) expect((refused.body.errors as { detail: string }[])[0]?.detail).toBe(detail);
    }
    // A resume takes no fields: a mistyped one is named, not ignored.
    const resumed = await post<Json>(stack, "/v1/accounts/studio/resume", { reason: "done" });
    expect([resumed.status, pointersOf(resumed.body)]).toEqual([400, ["/reason"]]);
    expect((await get<Json>(stack, "/v1/accounts/studio")).body.paused).toBeNull();
    expect((await post(stack, "/v1/accounts/nobody/pause", { reason: "x" })).status).toBe(404);
  });
});
