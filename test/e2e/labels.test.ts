import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { call, fundWallets, get, pointersOf, post, TestClock, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/**
 * Labels over HTTP (issue 22's contract): checks and reservations take `labels`, a reservation keeps them
 * (with its budget's under them), `GET /v1/reservations` filters by `label.<key>=<value>`, and every label
 * the contract does not allow is a 400 naming its field.
 */

const clock = new TestClock(new Date("2026-12-03T10:00:00Z"));
let stack: LocalStack;
type Json = Record<string, unknown>;
const reserve = (json: Json) => post<Json>(stack, "/v1/reservations", { accountId: "studio", ...json });
const job = { type: "avatar_video", engine: "avatar_iv", durationSeconds: 60 };

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "studio" }], { checks: { maxBalanceAgeSeconds: 86_400 } }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
  fundWallets(stack, ["studio"], 100);
  await stack.pollNow(clock.tick());
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("labels on checks and reservations", () => {
  it("a reservation keeps its labels, under which its budget's fill in", async () => {
    const budget = { limit: 50, period: "month", labels: { team: "video", campaign: "all" } };
    expect((await call(stack, "PUT", "/v1/accounts/studio/budgets/marketing", { json: budget })).status).toBe(
      201,
    );
    const made = await reserve({ amount: 2, budget: "marketing", labels: { campaign: "spring" } });
    expect(made.status).toBe(201);
    expect(made.body.labels).toEqual({ campaign: "spring", team: "video" });
    const read = await get<Json>(stack, `/v1/reservations/${made.body.id}`);
    expect(read.body.labels).toEqual({ campaign: "spring", team: "video" });
  });

  it("a check answers the labels a reserve of the same job would keep", async () => {
    const checked = await post<Json>(stack, "/v1/checks", {
      accountId: "studio",
      ...job,
      labels: { campaign: "fall" },
    });
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ allowed: true, labels: { campaign: "fall" } });
    const unlabelled = await post<Json>(stack, "/v1/checks", { accountId: "studio", amount: 1 });
    expect(unlabelled.body).not.toHaveProperty("labels");
  });

  it.each([
    ["a key with a capital", { Campaign: "x" }, "/labels/Campaign"],
    ["a key starting with a digit", { "1st": "x" }, "/labels/1st"],
    ["a key of 41 characters", { [`k${"x".repeat(40)}`]: "x" }, `/labels/k${"x".repeat(40)}`],
    ["a value of 101 characters", { campaign: "x".repeat(101) }, "/labels/campaign"],
    ["a value that is not a string", { campaign: 7 }, "/labels/campaign"],
    ["11 labels", Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "x"])), "/labels"],
    ["labels that are a list", ["campaign"], "/labels"],
  ])("%s is a 400 naming %s, on a reserve and on a check", async (_name, labels, pointer) => {
    const refused = await reserve({ amount: 1, labels });
    expect(refused.status).toBe(400);
    expect(pointersOf(refused.body)).toContain(pointer);
    const checked = await post<Json>(stack, "/v1/checks", { accountId: "studio", ...job, labels });
    expect(checked.status).toBe(400);
    expect(pointersOf(checked.body)).toContain(pointer);
  });

  it("a key of 40 characters and a value of 100 are allowed", async () => {
    const made = await reserve({
      amount: 1,
      labels: { [`k${"x".repeat(39)}`]: "x".repeat(100), "a.b_c-d": "" },
    });
    expect(made.status).toBe(201);
  });
});

describe("GET /v1/reservations?label.<key>=<value>", () => {
  it("lists only the holds with every label asked", async () => {
    for (const campaign of ["spring", "fall", "spring"]) {
      expect((await reserve({ amount: 1, labels: { campaign, client: "acme" } })).status).toBe(201);
    }
    const spring = await get<Json>(
      stack,
      "/v1/reservations?accountId=studio&label.campaign=spring&label.client=acme",
    );
    expect(spring.status).toBe(200);
    const listed = spring.body.reservations as Json[];
    expect(listed.map((r) => (r.labels as Json).campaign)).toEqual(["spring", "spring"]);
    const fall = await get<Json>(stack, "/v1/reservations?accountId=studio&label.campaign=fall&status=held");
    expect((fall.body.reservations as Json[]).length).toBe(1);
  });

  it("a parameter that is no filter, or a label key the contract does not allow, is a 400 naming it", async () => {
    const typo = await get<Json>(stack, "/v1/reservations?accountId=studio&labels.campaign=spring");
    expect(typo.status).toBe(400);
    expect(pointersOf(typo.body)).toEqual(["/query/labels.campaign"]);
    const badKey = await get<Json>(stack, "/v1/reservations?accountId=studio&label.Campaign=spring");
    expect(pointersOf(badKey.body)).toEqual(["/query/label.Campaign"]);
    const long = await get<Json>(
      stack,
      `/v1/reservations?accountId=studio&label.campaign=${"x".repeat(101)}`,
    );
    expect(pointersOf(long.body)).toEqual(["/query/label.campaign"]);
  });
});
