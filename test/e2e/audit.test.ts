import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { call, get, pointersOf, post, TestClock, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/** The audit log over HTTP: who changed what on an account, newest first, a page at a time. */

const clock = new TestClock();
let stack: LocalStack;
type Entry = Record<string, unknown>;
type Page = { accountId: string; entries: Entry[]; nextCursor?: string };
const AUDIT = "/v1/accounts/studio/audit";

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "studio" }]),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("the audit log", () => {
  it("records each budget change, pause and resume with who, what, when, before and after", async () => {
    const step = async (request: () => Promise<unknown>) => {
      clock.advance(1);
      await request();
    };
    await step(() =>
      call(stack, "PUT", "/v1/accounts/studio/budgets/marketing", { json: { limit: 25, period: "day" } }),
    );
    await step(() =>
      call(stack, "PUT", "/v1/accounts/studio/budgets/marketing", { json: { limit: 25, period: "day" } }),
    );
    await step(() =>
      call(stack, "PUT", "/v1/accounts/studio/budgets/marketing", { json: { limit: 40, period: "day" } }),
    );
    await step(() => post(stack, "/v1/accounts/studio/pause", { reason: "runaway" }));
    await step(() => post(stack, "/v1/accounts/studio/resume"));
    await step(() => call(stack, "DELETE", "/v1/accounts/studio/budgets/marketing"));
    const { body } = await get<Page>(stack, AUDIT);
    // The unchanged PUT changed nothing, so it is not there.
    expect(body.entries.map((e) => `${e.action} ${e.target}`)).toEqual([
      "budget-deleted budget:marketing",
      "resumed account",
      "paused account",
      "budget-set budget:marketing",
      "budget-set budget:marketing",
    ]);
    const [deleted, resumed, paused, changed, created] = body.entries;
    expect(created).toMatchObject({
      by: expect.any(String),
      after: { limit: 25, period: "day", timeZone: "UTC" },
    });
    expect(created).not.toHaveProperty("before");
    expect(changed).toMatchObject({ before: { limit: 25 }, after: { limit: 40 } });
    expect(paused).toMatchObject({ after: { reason: "runaway" } });
    expect(resumed).toMatchObject({ before: { reason: "runaway" } });
    expect(deleted).toMatchObject({ before: { limit: 40 } });
    expect(deleted).not.toHaveProperty("after");
    expect(Date.parse(String(deleted?.at))).toBeGreaterThan(Date.parse(String(created?.at)));
  });

  it("pages with limit and the cursor it answered; a cursor of anything else → 400 naming /query/cursor", async () => {
    const first = (await get<Page>(stack, `${AUDIT}?limit=2`)).body;
    expect(first.entries).toHaveLength(2);
    const second = (await get<Page>(stack, `${AUDIT}?limit=2&cursor=${first.nextCursor}`)).body;
    const all = (await get<Page>(stack, AUDIT)).body.entries;
    expect([...first.entries, ...second.entries]).toEqual(all.slice(0, 4));
    const bad = await get(stack, `${AUDIT}?cursor=${Buffer.from("HOLD#x").toString("base64url")}`);
    expect([bad.status, pointersOf(bad.body)]).toEqual([400, ["/query/cursor"]]);
    expect((await get(stack, "/v1/accounts/nobody/audit")).status).toBe(404);
  });
});
