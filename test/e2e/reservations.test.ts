import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_PRINCIPAL } from "#local/sigv4";
import type { LocalStack } from "#local/stack";
import {
  call,
  get,
  PROBLEM_JSON,
  pointersOf,
  post,
  sandboxKeyOf,
  sandboxOf,
  TestClock,
  testConfig,
} from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";
import {
  type AccountSummary,
  countedHoldIds,
  type Ledger,
  recordCommit,
  reservationViolations,
} from "#test/support/reservation-invariants";

/** Credit reservations over HTTP: the two-phase hold, its conflicts, expiry and settlement against polls. */

const MAX_TTL_SECONDS = 7200;
const SETTLE_SECONDS = 60;
const FLOOR = 5;
const ACCOUNTS = [
  { id: "res" },
  { id: "exp" },
  { id: "settle", reserveFloor: FLOOR },
  { id: "web" },
  { id: "bound" },
  { id: "zero" },
];
const clock = new TestClock();
let stack: LocalStack;

type Reservation = { id: string; status: string; amount: number; actualAmount?: number } & Record<
  string,
  unknown
>;

const keyOf = (id: string) => sandboxKeyOf(stack, id);
const sandbox = () => sandboxOf(stack);
const reserve = (body: unknown, headers?: Record<string, string>) =>
  post<Reservation>(stack, "/v1/reservations", body, headers);
const reservation = (id: string) => get<Reservation>(stack, `/v1/reservations/${id}`);
const commit = (id: string, body?: unknown, headers?: Record<string, string>) =>
  post<Reservation>(stack, `/v1/reservations/${id}/commit`, body, headers);
const release = (id: string, headers?: Record<string, string>) =>
  post<Reservation>(stack, `/v1/reservations/${id}/release`, undefined, headers);
const balance = async (id: string) =>
  (await get<{ remaining: number; reserved: number; available: number }>(stack, `/v1/accounts/${id}`)).body;
const checkAvailable = async (accountId: string) =>
  (
    await post<{ available: number; reserved: number }>(stack, "/v1/checks", {
      accountId,
      durationSeconds: 30,
    })
  ).body;
const poll = (afterSeconds: number) => {
  clock.advance(afterSeconds);
  return stack.pollNow(clock.tick());
};

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig(ACCOUNTS, {
      // Balances never go stale here, so no check or reserve polls behind the test's back.
      checks: { maxBalanceAgeSeconds: 90 * 86400 },
      reservations: {
        defaultTtlSeconds: 3600,
        maxTtlSeconds: MAX_TTL_SECONDS,
        settleSeconds: SETTLE_SECONDS,
      },
    }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
  for (const { id } of ACCOUNTS) {
    sandbox().setAccount(
      id === "web"
        ? { apiKey: keyOf(id), billingType: "subscription", balance: 100 }
        : id === "bound"
          ? { apiKey: keyOf(id), billingType: "wallet", currency: "usd", balance: 120 }
          : { apiKey: keyOf(id), billingType: "wallet", currency: "credits", balance: 100 },
    );
  }
  await poll(1);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("the hold lifecycle", () => {
  it("reserve a job spec → held; commit without an actual → committed at the held amount", async () => {
    const before = await balance("res");
    const created = await reserve({ accountId: "res", durationSeconds: 60 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      accountId: "res",
      amount: 6,
      unit: "credits",
      status: "held",
      estimate: { rateCard: "heygen-api-credits-2025", total: 6 },
    });
    const { id, createdAt, expiresAt } = created.body;
    expect(Date.parse(expiresAt as string) - Date.parse(createdAt as string)).toBe(3600 * 1000);
    expect((await reservation(id)).body).toMatchObject({ id, status: "held" });
    expect(await balance("res")).toMatchObject({
      reserved: before.reserved + 6,
      available: before.available - 6,
    });

    const committed = await commit(id);
    expect(committed.status).toBe(200);
    expect(committed.body).toMatchObject({ id, status: "committed", amount: 6 });
    expect((await reservation(id)).body.status).toBe("committed");
  });

  it("a job-spec hold is priced as a check of the same job: the card by billing type, its age warned", async () => {
    type Priced = { estimate: { rateCard: string; total: number; warnings: string[] } };
    const job = { accountId: "web", durationSeconds: 60, engine: "avatar_iii" };
    const checked = await post<Priced>(stack, "/v1/checks", job);
    const held = await reserve(job);
    expect(held.status).toBe(201);
    // A subscription spends web-plan credits (docs/heygen-facts.md#which-pool-pays), not the API wallet's card.
    expect(checked.body.estimate.rateCard).toBe("heygen-web-credits-2026-05");
    expect(held.body.estimate).toMatchObject({
      rateCard: "heygen-web-credits-2026-05",
      total: checked.body.estimate.total,
    });
    // heygen-api-credits-2025 was read in 2025-11: older than checks.rateCardMaxAgeDays (180) from now on.
    const old = await reserve({ accountId: "res", durationSeconds: 60 });
    expect((old.body as unknown as Priced).estimate.warnings.join(" ")).toContain("rateCardMaxAgeDays");
    await release(held.body.id);
    await release(old.body.id);
  });

  it("reserve an explicit amount; commit with the actual cost", async () => {
    const before = await balance("res");
    const created = await reserve({ accountId: "res", amount: 10, ttlSeconds: 600 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ amount: 10, status: "held" });
    const committed = await commit(created.body.id, { actualAmount: 8 });
    expect(committed.body).toMatchObject({ status: "committed", amount: 10, actualAmount: 8 });
    // Until HeyGen's balance shows the charge, the actual cost counts.
    expect((await balance("res")).reserved).toBe(before.reserved + 8);
  });

  it("a final commit of 0 ends the hold as a release does: nothing reserved, nothing counted (soak seed 1003582658)", async () => {
    const created = await reserve({ accountId: "zero", amount: 7, ttlSeconds: 600 });
    expect(created.status).toBe(201);
    const committed = await commit(created.body.id, { actualAmount: 0 });
    expect(committed.body).toMatchObject({ status: "committed", actualAmount: 0 });
    const summary = (await get<AccountSummary>(stack, "/v1/accounts/zero")).body;
    expect(summary.reserved).toBe(0);
    const stored = await countedHoldIds(stack.dynamo.doc, stack.tableName, "zero");
    expect(stored.counted.has(created.body.id)).toBe(false);
    const state = await stack.services.store.getAccountState("zero");
    // The invariants' ledger forgets such a hold; one that kept it at 0 reported it "missing from the store".
    const ledger: Ledger = new Map([[created.body.id, 7]]);
    recordCommit(ledger, created.body.id, 0);
    expect(reservationViolations(ledger, summary, state, stored)).toEqual([]);
    const keptAtZero: Ledger = new Map([[created.body.id, 0]]);
    expect(reservationViolations(keptAtZero, summary, state, stored)).toEqual([
      `granted holds missing from the store: ${created.body.id}`,
    ]);
  });

  it("release returns the hold", async () => {
    const before = await balance("res");
    const created = await reserve({ accountId: "res", amount: 5 });
    const released = await release(created.body.id);
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: "released" });
    expect(await balance("res")).toEqual(before);
  });

  it("a release's reason is recorded on the hold; an unknown reason → 400 naming /reason, nothing released", async () => {
    const created = await reserve({ accountId: "res", amount: 1 });
    const path = `/v1/reservations/${created.body.id}/release`;
    const bad = await post(stack, path, { reason: "because" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain(PROBLEM_JSON);
    expect(pointersOf(bad.body)).toEqual(["/reason"]);
    expect((await reservation(created.body.id)).body.status).toBe("held");
    const released = await post<Reservation>(stack, path, { reason: "cancelled" });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: "released", releaseReason: "cancelled" });
    expect((await reservation(created.body.id)).body.releaseReason).toBe("cancelled");
  });

  it("the same Idempotency-Key returns the same reservation (200), never a second hold", async () => {
    const before = await balance("res");
    const headers = { "Idempotency-Key": "render-job-42" };
    const first = await reserve({ accountId: "res", amount: 7 }, headers);
    const again = await reserve({ accountId: "res", amount: 7 }, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect((await balance("res")).reserved).toBe(before.reserved + 7);
  });

  it("a hold larger than available → 409 insufficient-balance with required, available, shortfall", async () => {
    const before = await balance("res");
    const { status, contentType, body } = await reserve({ accountId: "res", amount: 1000 });
    expect(status).toBe(409);
    expect(contentType).toContain(PROBLEM_JSON);
    expect(body).toMatchObject({
      type: expect.stringMatching(/insufficient-balance$/),
      required: 1000,
      available: before.available,
      shortfall: 1000 - before.available,
    });
    expect(await balance("res")).toEqual(before);
  });
});

describe("expiry and what checks see", () => {
  it("a check sees a hold made by another caller", async () => {
    const before = await checkAvailable("exp");
    const held = await reserve({ accountId: "exp", amount: 40 });
    const after = await checkAvailable("exp");
    expect(after.available).toBe(before.available - 40);
    expect(after.reserved).toBe(before.reserved + 40);
    await release(held.body.id);
  });

  it("an expired hold no longer reduces available, for the account view and for checks", async () => {
    const held = await reserve({ accountId: "exp", amount: 30, ttlSeconds: 60 });
    expect((await balance("exp")).available).toBe(70);
    expect((await checkAvailable("exp")).available).toBe(70);

    clock.advance(61);
    expect((await reservation(held.body.id)).body.status).toBe("expired");
    // The account view corrects the counter for holds that expired (no sweeper); checks then see it too.
    expect(await balance("exp")).toMatchObject({ reserved: 0, available: 100 });
    expect((await checkAvailable("exp")).available).toBe(100);
    // The whole balance can be held again: the expired hold took nothing with it.
    const all = await reserve({ accountId: "exp", amount: 100 });
    expect(all.status).toBe(201);
    await release(all.body.id);
    expect((await commit(held.body.id)).status).toBe(409);
  });

  it("a reserve denied by a counter that still holds an expired hold corrects it and succeeds", async () => {
    const held = await reserve({ accountId: "exp", amount: 60, ttlSeconds: 60 });
    expect(held.status).toBe(201);
    clock.advance(61);
    // No poll and no account view in between: the denial itself finds the expired hold.
    const all = await reserve({ accountId: "exp", amount: 100 });
    expect(all.status).toBe(201);
    await release(all.body.id);
  });

  it("ttlSeconds above reservations.maxTtlSeconds → 400 naming /ttlSeconds", async () => {
    const { status, body } = await reserve({ accountId: "exp", amount: 1, ttlSeconds: MAX_TTL_SECONDS + 1 });
    expect(status).toBe(400);
    expect(pointersOf(body)).toEqual(["/ttlSeconds"]);
    const viaJob = await reserve({ accountId: "exp", durationSeconds: 30, ttlSeconds: MAX_TTL_SECONDS + 1 });
    expect(pointersOf(viaJob.body)).toEqual(["/ttlSeconds"]);
  });
});

describe("settlement: a committed hold is neither double-counted nor forgotten", () => {
  it("counts until a poll past settleSeconds shows HeyGen's charge, then only the balance does", async () => {
    const spent = (await reserve({ accountId: "settle", amount: 20 })).body.id;
    const open = (await reserve({ accountId: "settle", amount: 10 })).body.id;
    await commit(spent);
    expect(await balance("settle")).toMatchObject({
      remaining: 100,
      reserved: 30,
      available: 100 - 30 - FLOOR,
    });

    // A poll inside the settle window: HeyGen has not charged yet, and the committed hold still counts.
    await poll(SETTLE_SECONDS / 2);
    expect(await balance("settle")).toMatchObject({ remaining: 100, reserved: 30, available: 65 });

    // HeyGen charges the job; until a poll sees it, the hold keeps counting (no forgotten spend).
    sandbox().spend(keyOf("settle"), 20);
    expect(await balance("settle")).toMatchObject({ remaining: 100, reserved: 30, available: 65 });

    await poll(SETTLE_SECONDS);
    const settled = await balance("settle");
    expect(settled).toMatchObject({ remaining: 80, reserved: 10 });
    expect(settled.available).toBe(settled.remaining - settled.reserved - FLOOR);
    expect((await checkAvailable("settle")).available).toBe(65);
    expect((await reservation(spent)).body.status).toBe("committed");
    await release(open);
  });
});

describe("bad reservation requests", () => {
  it.each([
    "abc",
    "rsv_",
    "rsv_res_short",
    "rsv_Res_AAAAAAAAAAAAAAAAAAAAAA",
    "rsv_nobody_AAAAAAAAAAAAAAAAAAAAAA",
    "rsv_res_AAAAAAAAAAAAAAAAAAAAAA",
    "%2e%2e",
  ])("reservation id %s → 404 for GET, commit and release", async (id) => {
    for (const reply of [await reservation(id), await commit(id), await release(id)]) {
      expect(reply.status).toBe(404);
      expect(reply.contentType).toContain(PROBLEM_JSON);
    }
  });

  it.each([
    ["negative amount", { accountId: "res", amount: -1 }, "/amount"],
    ["amount as a string", { accountId: "res", amount: "5" }, "/amount"],
    ["amount and a job", { accountId: "res", amount: 5, durationSeconds: 30 }, "/durationSeconds"],
    ["no amount and no job", { accountId: "res" }, "/durationSeconds"],
    ["zero ttl", { accountId: "res", amount: 1, ttlSeconds: 0 }, "/ttlSeconds"],
    ["missing account", { amount: 1 }, "/accountId"],
  ])("POST /v1/reservations with %s → 400 naming %s", async (_name, body, pointer) => {
    const { status, contentType, body: problem } = await reserve(body);
    expect(status).toBe(400);
    expect(contentType).toContain(PROBLEM_JSON);
    expect(pointersOf(problem)).toContain(pointer);
  });

  it("an unknown account → 404; a bad Idempotency-Key → 400 naming the header", async () => {
    expect((await reserve({ accountId: "nobody", amount: 1 })).status).toBe(404);
    const badKey = await reserve({ accountId: "res", amount: 1 }, { "Idempotency-Key": "x".repeat(256) });
    expect(badKey.status).toBe(400);
    expect(pointersOf(badKey.body)).toEqual(["/headers/idempotency-key"]);
  });

  it("commit validates its body", async () => {
    const id = (await reserve({ accountId: "res", amount: 1 })).body.id;
    expect(pointersOf((await commit(id, { actualAmount: -1 })).body)).toEqual(["/actualAmount"]);
    expect(pointersOf((await commit(id, { actual: 1 })).body)).toEqual(["/actual"]);
    // Found by the fuzzer: a denormal reached DynamoDB, which refuses it, and the answer was a 500.
    const tiny = await commit(id, { actualAmount: 5e-324 });
    expect([tiny.status, pointersOf(tiny.body)]).toEqual([400, ["/actualAmount"]]);
    const tinyHold = await reserve({ accountId: "res", amount: 5e-324 });
    expect([tinyHold.status, pointersOf(tinyHold.body)]).toEqual([400, ["/amount"]]);
    const text = await call(stack, "POST", `/v1/reservations/${id}/commit`, {
      body: "{",
      headers: { "content-type": "application/json" },
    });
    expect(text.status).toBe(400);
    expect((await reservation(id)).body.status).toBe("held");
    await release(id);
  });
});

describe("idempotent settle and conflicts (each rule over HTTP)", () => {
  const conflictOf = async (
    reply: Promise<{ status: number; contentType: string; body: Record<string, unknown> }>,
  ) => {
    const { status, contentType, body } = await reply;
    expect(status).toBe(409);
    expect(contentType).toContain(PROBLEM_JSON);
    expect(body.type).toMatch(/reservation-conflict$/);
    return body;
  };

  it("a commit repeated with the same body → 200, the reservation, Idempotent-Replayed: true, counted once", async () => {
    const { id } = (await reserve({ accountId: "res", amount: 9 })).body;
    const first = await commit(id, { actualAmount: 4 });
    const before = await balance("res");
    const again = await commit(id, { actualAmount: 4 });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(await balance("res")).toEqual(before);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
  });

  it("a release repeated → 200, Idempotent-Replayed: true, nothing returned twice", async () => {
    const { id } = (await reserve({ accountId: "res", amount: 6 })).body;
    const first = await release(id);
    const before = await balance("res");
    const again = await release(id);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(await balance("res")).toEqual(before);
  });

  it("a commit with another actualAmount than the one recorded → 409 reservation-conflict naming state and amount", async () => {
    const { id } = (await reserve({ accountId: "res", amount: 9 })).body;
    await commit(id, { actualAmount: 4 });
    const before = await balance("res");
    const body = await conflictOf(commit(id, { actualAmount: 5 }));
    expect(body).toMatchObject({
      reservationStatus: "committed",
      amount: 9,
      committedAmount: 4,
      actualAmount: 4,
    });
    expect(await balance("res")).toEqual(before);
  });

  it("a commit of a released hold → 409 reservation-conflict", async () => {
    const { id } = (await reserve({ accountId: "res", amount: 2 })).body;
    await release(id);
    const body = await conflictOf(commit(id, { actualAmount: 1 }));
    expect(body).toMatchObject({ reservationStatus: "released", amount: 2, committedAmount: 0 });
  });

  it("a commit of an expired hold → 409 reservation-conflict", async () => {
    const { id } = (await reserve({ accountId: "res", amount: 2, ttlSeconds: 30 })).body;
    clock.advance(31);
    const body = await conflictOf(commit(id));
    expect(body).toMatchObject({ reservationStatus: "expired", amount: 2 });
  });

  it("a release of a committed hold → 409 reservation-conflict", async () => {
    const { id } = (await reserve({ accountId: "res", amount: 3 })).body;
    await commit(id);
    const body = await conflictOf(release(id));
    expect(body).toMatchObject({ reservationStatus: "committed", amount: 3, committedAmount: 3 });
  });

  it("two identical partial commits without a key count twice; with the same Idempotency-Key, once", async () => {
    const { id } = (await reserve({ accountId: "res", amount: 10 })).body;
    await commit(id, { actualAmount: 2, final: false });
    const twice = await commit(id, { actualAmount: 2, final: false });
    expect(twice.body).toMatchObject({ status: "held", committedAmount: 4, heldAmount: 6 });

    const keyed = { "Idempotency-Key": "part-3" };
    const first = await commit(id, { actualAmount: 1, final: false }, keyed);
    const again = await commit(id, { actualAmount: 1, final: false }, keyed);
    expect(first.body).toMatchObject({ committedAmount: 5, heldAmount: 5 });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect((await reservation(id)).body).toMatchObject({ committedAmount: 5, heldAmount: 5 });
    await release(id);
  });

  it("the same Idempotency-Key with another body → 409 idempotency-key-reused, nothing held", async () => {
    const headers = { "Idempotency-Key": "reused-key" };
    expect((await reserve({ accountId: "res", amount: 1 }, headers)).status).toBe(201);
    const before = await balance("res");
    const { status, body } = await reserve({ accountId: "res", amount: 2 }, headers);
    expect(status).toBe(409);
    expect(body.type).toMatch(/idempotency-key-reused$/);
    expect(pointersOf(body)).toEqual(["/headers/idempotency-key"]);
    expect(await balance("res")).toEqual(before);
  });

  it("a release with an Idempotency-Key answers the stored answer when repeated", async () => {
    const { id } = (await reserve({ accountId: "res", amount: 1 })).body;
    const headers = { "Idempotency-Key": "release-1" };
    const first = await release(id, headers);
    const again = await release(id, headers);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
  });

  it("an Idempotency-Key on a reserve is remembered for 24 h, then a new hold is made", async () => {
    const headers = { "Idempotency-Key": "day-old" };
    const first = await reserve({ accountId: "res", amount: 1, ttlSeconds: 60 }, headers);
    clock.advance(3600);
    expect((await reserve({ accountId: "res", amount: 1, ttlSeconds: 60 }, headers)).body.id).toBe(
      first.body.id,
    );
    clock.advance(24 * 3600);
    const later = await reserve({ accountId: "res", amount: 1, ttlSeconds: 60 }, headers);
    expect(later.status).toBe(201);
    expect(later.body.id).not.toBe(first.body.id);
  });
});

describe("a commit is bounded by the hold plus what is available (issue 23)", () => {
  it("1000 on a $1 hold with $120 → 409 commit-exceeds-available naming the amounts, nothing changed; force: true → 200, recorded as forced, and alerted", async () => {
    const { id } = (await reserve({ accountId: "bound", amount: 1 })).body;
    const before = await balance("bound");
    expect(before).toMatchObject({ remaining: 120, available: 119 });
    const refused = await commit(id, { actualAmount: 1000 });
    expect(refused.status).toBe(409);
    expect(refused.contentType).toContain(PROBLEM_JSON);
    expect(refused.body).toMatchObject({
      type: expect.stringMatching(/commit-exceeds-available$/),
      held: 1,
      available: 119,
      asked: 1000,
      allowed: 120,
      unit: "usd",
    });
    expect(pointersOf(refused.body)).toEqual(["/actualAmount"]);
    expect(await balance("bound")).toEqual(before);
    expect((await reservation(id)).body).toMatchObject({ status: "held", committedAmount: 0 });

    // What fits (held + available) is recorded unforced.
    const { id: fits } = (await reserve({ accountId: "bound", amount: 1 })).body;
    expect((await commit(fits, { actualAmount: 2 })).status).toBe(200);
    await poll(SETTLE_SECONDS * 2);

    const forced = await commit(id, { actualAmount: 1000, force: true });
    expect(forced.status).toBe(200);
    expect(forced.body).toMatchObject({
      status: "committed",
      totalAmount: 1000,
      forced: {
        by: LOCAL_PRINCIPAL,
        held: 1,
        asked: 1000,
        allowed: expect.any(Number),
      },
    });
    expect((await balance("bound")).available).toBeLessThan(0);
    const alerts = (
      await get<{ alerts: Record<string, unknown>[] }>(stack, "/v1/accounts/bound/alerts")
    ).body.alerts.filter((a) => a.alertType === "forced_commit");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      status: "sent",
      severity: "warning",
      forced: { reservationId: id, asked: 1000 },
    });
    expect(alerts[0]?.subject).toContain("forced");
  });
});

describe("totalAmount: the job's whole cost, actualAmount: this part", () => {
  it("a partial commit of 1, then a final totalAmount of 2 → 2 committed, not 3", async () => {
    const { id } = (await reserve({ accountId: "res", amount: 5 })).body;
    await commit(id, { actualAmount: 1, final: false });
    const last = await commit(id, { totalAmount: 2 });
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({ status: "committed", committedAmount: 2, totalAmount: 2 });
    // The same final commit repeated is a replay.
    const again = await commit(id, { totalAmount: 2 });
    expect([again.status, again.headers.get("idempotent-replayed")]).toEqual([200, "true"]);
  });

  it("totalAmount below what is committed → 400 naming /totalAmount; both fields → 400 naming both", async () => {
    const { id } = (await reserve({ accountId: "res", amount: 5 })).body;
    await commit(id, { actualAmount: 3, final: false });
    const below = await commit(id, { totalAmount: 2 });
    expect([below.status, pointersOf(below.body)]).toEqual([400, ["/totalAmount"]]);
    const both = await commit(id, { actualAmount: 1, totalAmount: 4 });
    expect([both.status, pointersOf(both.body).sort()]).toEqual([400, ["/actualAmount", "/totalAmount"]]);
    expect((await reservation(id)).body).toMatchObject({ status: "held", committedAmount: 3 });
    await release(id);
  });
});

describe("partial commits and extend", () => {
  it("a partial commit keeps the rest held; a final commit adds its actual and ends the hold", async () => {
    const before = await balance("res");
    const { id } = (await reserve({ accountId: "res", amount: 10 })).body;
    const part = await commit(id, { actualAmount: 3, final: false });
    expect(part.body).toMatchObject({ status: "held", amount: 10, committedAmount: 3, heldAmount: 7 });
    expect((await balance("res")).reserved).toBe(before.reserved + 10);
    const last = await commit(id, { actualAmount: 2 });
    expect(last.body).toMatchObject({
      status: "committed",
      committedAmount: 5,
      heldAmount: 0,
      actualAmount: 5,
    });
    // Both parts count until settled; the 5 never committed went back.
    expect((await balance("res")).reserved).toBe(before.reserved + 5);
  });

  it("a release after a partial commit returns only what was not committed", async () => {
    const before = await balance("res");
    const { id } = (await reserve({ accountId: "res", amount: 10 })).body;
    await commit(id, { actualAmount: 4, final: false });
    const released = await release(id);
    expect(released.body).toMatchObject({ status: "released", committedAmount: 4, heldAmount: 0 });
    expect((await balance("res")).reserved).toBe(before.reserved + 4);
  });

  it("a partial commit without actualAmount → 400 naming /actualAmount", async () => {
    const { id } = (await reserve({ accountId: "res", amount: 1 })).body;
    const { status, body } = await commit(id, { final: false });
    expect(status).toBe(400);
    expect(pointersOf(body)).toEqual(["/actualAmount"]);
    await release(id);
  });

  it("extend raises the amount from available and moves the expiry; too much → 409 insufficient-balance", async () => {
    const extend = (id: string, body: unknown) =>
      post<Reservation>(stack, `/v1/reservations/${id}/extend`, body);
    const { id } = (await reserve({ accountId: "exp", amount: 10, ttlSeconds: 60 })).body;
    const before = await balance("exp");
    const raised = await extend(id, { amount: 15, ttlSeconds: 600 });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ amount: 15, heldAmount: 15, status: "held" });
    expect(Date.parse(raised.body.expiresAt as string)).toBe(clock.now().getTime() + 600_000);
    expect(await balance("exp")).toMatchObject({
      reserved: before.reserved + 5,
      available: before.available - 5,
    });

    const tooMuch = await extend(id, { amount: 15 + before.available });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatchObject({
      type: expect.stringMatching(/insufficient-balance$/),
      required: before.available,
      available: before.available - 5,
      shortfall: 5,
      unit: "credits",
    });
    const lower = await extend(id, { amount: 1 });
    expect(lower.status).toBe(400);
    expect(pointersOf(lower.body)).toEqual(["/amount"]);
    expect((await extend(id, { ttlSeconds: MAX_TTL_SECONDS + 1 })).status).toBe(400);
    await release(id);
    expect((await extend(id, { ttlSeconds: 60 })).status).toBe(409);
  });
});

describe("listing", () => {
  it("lists an account's reservations newest first, by status, a page at a time with an opaque cursor", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1);
      ids.push((await reserve({ accountId: "settle", amount: 1 })).body.id);
    }
    await release(ids[1] as string);
    const list = (query: string) =>
      get<{ reservations: Reservation[]; nextCursor?: string }>(stack, `/v1/reservations?${query}`);
    const first = await list("accountId=settle&status=held&limit=2");
    expect(first.status).toBe(200);
    expect(first.body.reservations.map((r) => r.id)).toEqual([ids[4], ids[3]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await list(`accountId=settle&status=held&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.reservations.map((r) => r.id)).toEqual([ids[2], ids[0]]);
    const released = await list("accountId=settle&status=released&limit=100");
    expect(released.body.reservations.map((r) => r.id)).toContain(ids[1]);
    expect(released.body.reservations.every((r) => r.status === "released")).toBe(true);

    const detail = (await get<Record<string, unknown>>(stack, "/v1/accounts/settle")).body;
    expect(detail.activeReservations).toBe(4);
    expect(detail.oldestOpenHoldAgeSeconds).toBe(4);

    for (const bad of ["limit=0", "limit=101", "status=lost", "cursor=bm9wZQ"]) {
      const reply = await list(`accountId=settle&${bad}`);
      expect(reply.status, bad).toBe(400);
      expect(pointersOf(reply.body)[0]).toMatch(/^\/query\//);
    }
    for (const id of [ids[0], ids[2], ids[3], ids[4]]) await release(id as string);
  });
});
