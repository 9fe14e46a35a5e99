import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { call, get, PROBLEM_JSON, pointersOf, TestClock, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/** Budgets over HTTP (docs/budgets.md): set, read, list and delete, with every refusal a problem naming its field. */

const clock = new TestClock(new Date("2026-12-03T04:30:00Z"));
let stack: LocalStack;
type Budget = Record<string, unknown>;
const put = (path: string, json: unknown) => call<Budget>(stack, "PUT", path, { json });
const BUDGETS = "/v1/accounts/studio/budgets";

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "studio" }, { id: "agency" }]),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("a budget's life", () => {
  it("PUT creates it (201, Location) with its current local period; the same PUT again is 200 and changes nothing", async () => {
    const body = { limit: 25, period: "day", timeZone: "America/New_York", maxConcurrentHolds: 4 };
    const created = await put(`${BUDGETS}/marketing`, body);
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`${BUDGETS}/marketing`);
    expect(created.body).toEqual({
      id: "marketing",
      accountId: "studio",
      limit: 25,
      period: "day",
      timeZone: "America/New_York",
      // 04:30 UTC is 23:30 on the 2nd in New York.
      periodStart: "2026-12-02T05:00:00.000Z",
      periodEnd: "2026-12-03T05:00:00.000Z",
      committed: 0,
      held: 0,
      available: 25,
      mode: "hard",
      maxPerJob: null,
      maxConcurrentHolds: 4,
      openHolds: 0,
      paused: false,
      principals: [],
      labels: {},
      alertPercents: { warning: 80, critical: 95 },
    });
    const again = await put(`${BUDGETS}/marketing`, body);
    expect([again.status, again.body]).toEqual([200, created.body]);
  });

  it("a changed PUT is 200 with the new settings; GET shows it, in the period of the clock", async () => {
    const changed = await put(`${BUDGETS}/marketing`, {
      limit: 40,
      period: "day",
      timeZone: "America/New_York",
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ limit: 40, available: 40, maxConcurrentHolds: null });
    clock.advance(3600);
    const read = await get<Budget>(stack, `${BUDGETS}/marketing`);
    expect(read.body).toMatchObject({ limit: 40, periodStart: "2026-12-03T05:00:00.000Z" });
  });

  it("lists the account's budgets by id, and only its own", async () => {
    await put(`${BUDGETS}/brand-a`, { limit: 5, period: "month", labels: { team: "brand-a" } });
    await put("/v1/accounts/agency/budgets/other", { limit: 1, period: "total" });
    const list = await get<{ budgets: Budget[] }>(stack, BUDGETS);
    expect(list.body.budgets.map((b) => b.id)).toEqual(["brand-a", "marketing"]);
    expect(list.body.budgets[0]).toMatchObject({
      period: "month",
      timeZone: "UTC",
      labels: { team: "brand-a" },
    });
  });

  it("DELETE removes it (204); then GET and DELETE answer 404 naming the budget", async () => {
    const deleted = await call(stack, "DELETE", `${BUDGETS}/brand-a`);
    expect(deleted.status).toBe(204);
    for (const method of ["GET", "DELETE"]) {
      const gone = await call(stack, method, `${BUDGETS}/brand-a`);
      expect([gone.status, gone.contentType, pointersOf(gone.body)]).toEqual([
        404,
        PROBLEM_JSON,
        ["/path/budgetId"],
      ]);
    }
  });
});

describe("bad budget requests", () => {
  it.each([
    [{ period: "day" }, ["/limit"]],
    [{ limit: -1, period: "day" }, ["/limit"]],
    [{ limit: 5, period: "fortnight" }, ["/period"]],
    [{ limit: 5, period: "day", timeZone: "Mars/Olympus" }, ["/timeZone"]],
    [{ limit: 5, period: "day", mode: "lenient" }, ["/mode"]],
    [{ limit: 5, period: "day", maxConcurrentHolds: 0 }, ["/maxConcurrentHolds"]],
    [{ limit: 5, period: "day", principals: ["marketing"] }, ["/principals/0"]],
    [{ limit: 5, period: "day", labels: { "Bad Key": "x" } }, ["/labels/Bad Key"]],
    [{ limit: 5, period: "day", colour: "blue" }, ["/colour"]],
  ])("PUT %j → 400 naming %j, nothing written", async (body, pointers) => {
    const refused = await put(`${BUDGETS}/refused`, body);
    expect([refused.status, refused.contentType]).toEqual([400, PROBLEM_JSON]);
    expect(pointersOf(refused.body)).toEqual(pointers);
    expect((await get(stack, `${BUDGETS}/refused`)).status).toBe(404);
  });

  it("a budget id outside [a-z0-9-]{1,40} → 400 naming /path/budgetId; an unknown account → 404", async () => {
    for (const id of ["Marketing", "a".repeat(41), "has_underscore"]) {
      const refused = await put(`${BUDGETS}/${id}`, { limit: 5, period: "day" });
      expect([refused.status, pointersOf(refused.body)]).toEqual([400, ["/path/budgetId"]]);
    }
    const unknown = await put("/v1/accounts/nobody/budgets/x", { limit: 5, period: "day" });
    expect([unknown.status, pointersOf(unknown.body)]).toEqual([404, ["/path/id"]]);
  });
});
