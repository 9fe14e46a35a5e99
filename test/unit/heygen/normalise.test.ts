import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HeyGenError } from "#heygen/errors";
import { QUOTA_PER_CREDIT, snapshotFromV2, snapshotFromV3 } from "#heygen/normalise";

const observation = { accountId: "acme", observedAt: "2026-03-01T12:00:00.000Z" };

/** Bodies shaped as developers.heygen.com documents them: the unused billing objects are null. */
function v3Body(billing: Record<string, unknown>): { data: Record<string, unknown> } {
  return {
    data: {
      username: "jane_doe",
      email: "jane@example.com",
      first_name: "Jane",
      last_name: "Doe",
      wallet: null,
      subscription: null,
      usage_based: null,
      ...billing,
    },
  };
}

const walletUsd = () =>
  v3Body({
    billing_type: "wallet",
    wallet: {
      currency: "usd",
      remaining_balance: 125.5,
      auto_reload: { enabled: true, threshold_usd: 10, amount_usd: 50 },
    },
  });

const subscription = () =>
  v3Body({
    billing_type: "subscription",
    subscription: {
      plan: "pro",
      credits: {
        premium_credits: { remaining: 500, resets_at: "2026-04-01T00:00:00Z" },
        add_on_credits: { remaining: 120, resets_at: null },
      },
    },
  });

const v2Body = (data: Record<string, unknown>) => ({ error: null, data });

function expectBadResponse(run: () => unknown, fieldInMessage?: string) {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(HeyGenError);
  expect((thrown as HeyGenError).code).toBe("bad_response");
  if (fieldInMessage) expect((thrown as HeyGenError).message).toContain(fieldInMessage);
}

describe("snapshotFromV3", () => {
  it("reads a usd wallet with its auto-reload settings", () => {
    expect(snapshotFromV3(walletUsd(), observation)).toEqual({
      ...observation,
      source: "v3",
      billingType: "wallet",
      unit: "usd",
      remaining: 125.5,
      pools: [],
      autoReload: { enabled: true, thresholdUsd: 10, amountUsd: 50 },
    });
  });

  it("takes the unit of a wallet from its currency and leaves out null auto-reload amounts", () => {
    const body = v3Body({
      billing_type: "wallet",
      wallet: {
        currency: "credits",
        remaining_balance: 42,
        auto_reload: { enabled: false, threshold_usd: null, amount_usd: null },
      },
    });
    const snapshot = snapshotFromV3(body, observation);
    expect(snapshot.unit).toBe("credits");
    expect(snapshot.remaining).toBe(42);
    expect(snapshot.autoReload).toEqual({ enabled: false });
  });

  it("sums a subscription's pools and keeps each pool's reset time and the plan", () => {
    const snapshot = snapshotFromV3(subscription(), observation);
    expect(snapshot).toMatchObject({
      billingType: "subscription",
      unit: "credits",
      remaining: 620,
      plan: "pro",
    });
    expect(snapshot.pools).toEqual([
      { name: "premium_credits", remaining: 500, unit: "credits", resetsAt: "2026-04-01T00:00:00Z" },
      { name: "add_on_credits", remaining: 120, unit: "credits" },
    ]);
  });

  it("reads a subscription whose add-on pool is null from its premium pool alone", () => {
    const body = subscription();
    body.data.subscription = {
      plan: "free",
      credits: { premium_credits: { remaining: 10, resets_at: null } },
    };
    const snapshot = snapshotFromV3(body, observation);
    expect(snapshot.remaining).toBe(10);
    expect(snapshot.pools.map((pool) => pool.name)).toEqual(["premium_credits"]);
  });

  it("reads a usage-based account's remaining credits and spending figures", () => {
    const body = v3Body({
      billing_type: "usage_based",
      usage_based: {
        included_credits: 1000,
        remaining_credits: 640,
        spending_cap_usd: 100,
        spending_current_usd: 42.5,
      },
    });
    expect(snapshotFromV3(body, observation)).toEqual({
      ...observation,
      source: "v3",
      billingType: "usage_based",
      unit: "credits",
      remaining: 640,
      pools: [],
      spendingCapUsd: 100,
      spendingCurrentUsd: 42.5,
    });
  });

  const broken: Array<[string, () => unknown, string]> = [
    [
      "a missing remaining_balance",
      () => v3Body({ billing_type: "wallet", wallet: { currency: "usd" } }),
      "remaining_balance",
    ],
    [
      "a null remaining_balance",
      () => v3Body({ billing_type: "wallet", wallet: { currency: "usd", remaining_balance: null } }),
      "remaining_balance",
    ],
    [
      "a balance sent as a string",
      () => v3Body({ billing_type: "wallet", wallet: { currency: "usd", remaining_balance: "120.00" } }),
      "remaining_balance",
    ],
    [
      "NaN",
      () => v3Body({ billing_type: "wallet", wallet: { currency: "usd", remaining_balance: Number.NaN } }),
      "remaining_balance",
    ],
    [
      "Infinity",
      () =>
        v3Body({
          billing_type: "wallet",
          wallet: { currency: "usd", remaining_balance: Number.POSITIVE_INFINITY },
        }),
      "remaining_balance",
    ],
    [
      "an unknown currency",
      () => v3Body({ billing_type: "wallet", wallet: { currency: "eur", remaining_balance: 1 } }),
      "currency",
    ],
    ["an unknown billing type", () => v3Body({ billing_type: "prepaid" }), "billing_type"],
    [
      "the billing object missing for its type",
      () => v3Body({ billing_type: "subscription" }),
      "subscription",
    ],
    [
      "a subscription without any pool amount",
      () =>
        v3Body({
          billing_type: "subscription",
          subscription: { plan: "pro", credits: { premium_credits: { remaining: null } } },
        }),
      "credits",
    ],
    [
      "usage-based without remaining credits",
      () => v3Body({ billing_type: "usage_based", usage_based: { spending_cap_usd: 100 } }),
      "spending_current_usd",
    ],
    [
      "no data envelope",
      () => ({ billing_type: "wallet", wallet: { currency: "usd", remaining_balance: 1 } }),
      "data",
    ],
    ["an array", () => [1, 2, 3], "data"],
    ["null", () => null, ""],
  ];
  it.each(broken)("rejects %s as bad_response naming the field", (_case, body, field) => {
    expectBadResponse(() => snapshotFromV3(body(), observation), field);
  });

  it("rejects a body it cannot read whatever the wallet balance is replaced by", () => {
    const notAnAmount = fc.oneof(
      fc.string(),
      fc.constantFrom(Number.NaN, Number.NEGATIVE_INFINITY, null, true, [], {}),
    );
    fc.assert(
      fc.property(notAnAmount, (value) => {
        const body = v3Body({
          billing_type: "wallet",
          wallet: { currency: "usd", remaining_balance: value },
        });
        expectBadResponse(() => snapshotFromV3(body, observation));
      }),
    );
  });
});

describe("snapshotFromV3, read leniently", () => {
  const withReset = (resetsAt: unknown) =>
    v3Body({
      billing_type: "subscription",
      subscription: { plan: "creator", credits: { premium_credits: { remaining: 5, resets_at: resetsAt } } },
    });

  it.each([
    ["epoch seconds", 1796083200],
    ["epoch milliseconds", 1796083200000],
    ["epoch seconds as a string", "1796083200"],
    ["ISO with Z", "2026-12-01T00:00:00Z"],
    ["ISO with an offset", "2026-12-01T01:00:00+01:00"],
    ["ISO without a zone (UTC)", "2026-12-01T00:00:00"],
    ["ISO without seconds or zone", "2026-12-01T00:00"],
    ["a date only (midnight UTC)", "2026-12-01"],
  ])("reads a reset time given as %s", (_case, value) => {
    expect(snapshotFromV3(withReset(value), observation).pools[0]?.resetsAt).toBe("2026-12-01T00:00:00Z");
  });

  it.each([
    ["a word", "next month", "data.subscription.credits.premium_credits.resets_at"],
    ["a boolean", true, "data.subscription.credits.premium_credits.resets_at"],
    ["an impossible date", "2026-13-45", "data.subscription.credits.premium_credits.resets_at"],
  ])("drops a reset time that is %s, with a warning naming its path", (_case, value, path) => {
    const snapshot = snapshotFromV3(withReset(value), observation);
    expect(snapshot.remaining).toBe(5);
    expect(snapshot.pools[0]).not.toHaveProperty("resetsAt");
    expect(snapshot.warnings).toEqual([
      expect.stringMatching(new RegExp(`^${path.replace(/\./g, "\\.")}: `)),
    ]);
  });

  it("drops another unparseable optional field (an auto-reload amount as a string) and keeps the reading", () => {
    const body = v3Body({
      billing_type: "wallet",
      wallet: { currency: "usd", remaining_balance: 80, auto_reload: { enabled: true, amount_usd: "50" } },
    });
    const snapshot = snapshotFromV3(body, observation);
    expect(snapshot.remaining).toBe(80);
    expect(snapshot.autoReload).toEqual({ enabled: true });
    expect(snapshot.warnings).toEqual([expect.stringMatching(/^data\.wallet\.auto_reload\.amount_usd: /)]);
  });

  it("ignores unknown fields anywhere", () => {
    const body = walletUsd() as { data: Record<string, unknown> };
    body.data.team = { seats: 3 };
    (body.data.wallet as Record<string, unknown>).pending_charges_usd = 1.5;
    const snapshot = snapshotFromV3(body, observation);
    expect(snapshot.remaining).toBe(125.5);
    expect(snapshot).not.toHaveProperty("warnings");
  });

  it("records a negative wallet balance as it is (overdrawn)", () => {
    const body = v3Body({ billing_type: "wallet", wallet: { currency: "usd", remaining_balance: -2.35 } });
    expect(snapshotFromV3(body, observation).remaining).toBe(-2.35);
  });

  it("reads a usage-based account without remaining_credits as its spending cap headroom in usd", () => {
    const body = v3Body({
      billing_type: "usage_based",
      usage_based: { remaining_credits: null, spending_cap_usd: 50, spending_current_usd: 12.5 },
    });
    expect(snapshotFromV3(body, observation)).toMatchObject({
      unit: "usd",
      remaining: 37.5,
      spendingCapUsd: 50,
      spendingCurrentUsd: 12.5,
    });
  });

  it("says what a usage-based account needs when it has neither figure", () => {
    const body = v3Body({ billing_type: "usage_based", usage_based: { spending_cap_usd: 50 } });
    expectBadResponse(
      () => snapshotFromV3(body, observation),
      "a usage_based account needs remaining_credits, or both spending_cap_usd and spending_current_usd",
    );
  });
});

describe("snapshotFromV2", () => {
  it("divides remaining_quota and the credit pools by 60; plan credits (whole), counts and unknown pools apart", () => {
    const body = v2Body({
      remaining_quota: 3600,
      details: {
        api: 3600,
        plan_credit: 600,
        streaming_avatar: 90,
        avatar_seats: 4,
        interactive_avatar_instance_quota: 2,
        mystery_pool: 7,
      },
    });
    expect(snapshotFromV2(body, observation)).toEqual({
      ...observation,
      source: "v2",
      billingType: "legacy_quota",
      unit: "credits",
      remaining: 60,
      pools: [
        { name: "api", remaining: 60, unit: "credits" },
        { name: "streaming_avatar", remaining: 1.5, unit: "credits" },
      ],
      otherPools: [
        // Whole credits, not ÷ 60 (field case G8); apart, as this reading guards the API pool.
        { name: "plan_credit", remaining: 600, unit: "credits", kind: "not_spent" },
        { name: "avatar_seats", remaining: 4, unit: "count", kind: "count" },
        { name: "interactive_avatar_instance_quota", remaining: 2, unit: "count", kind: "count" },
        { name: "mystery_pool", remaining: 7, unit: "raw", kind: "unknown" },
      ],
      warnings: ["data.details.mystery_pool: unknown pool; kept as sent (unit raw), not counted as credits"],
    });
  });

  it("records a negative remaining_quota as an overdrawn balance", () => {
    expect(snapshotFromV2(v2Body({ remaining_quota: -60 }), observation).remaining).toBe(-1);
  });

  const dropped: Array<[string, unknown, string]> = [
    [
      "a pool that is not a number",
      v2Body({ remaining_quota: 60, details: { api: "60" } }),
      "data.details.api",
    ],
    ["a negative pool", v2Body({ remaining_quota: 60, details: { api: -1 } }), "data.details.api"],
    ["a negative used_quota", v2Body({ remaining_quota: 60, used_quota: -5 }), "data.used_quota"],
    ["details that is a list", v2Body({ remaining_quota: 60, details: [60] }), "data.details"],
  ];
  it.each(dropped)("drops %s with a warning naming its path, keeping the reading", (_case, body, path) => {
    const snapshot = snapshotFromV2(body, observation);
    expect(snapshot.remaining).toBe(1);
    expect(snapshot.warnings).toEqual([
      expect.stringMatching(new RegExp(`^${path.replace(/\./g, "\\.")}: `)),
    ]);
  });

  it("keeps the credit total for any whole quota", () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), (quota) => {
        const snapshot = snapshotFromV2(
          v2Body({ remaining_quota: quota, details: { api: quota } }),
          observation,
        );
        expect(snapshot.remaining * QUOTA_PER_CREDIT).toBeCloseTo(quota, 6);
        expect(snapshot.pools[0]?.remaining).toBe(snapshot.remaining);
      }),
    );
  });

  it("accepts details that are empty, missing or hold null pools", () => {
    expect(snapshotFromV2(v2Body({ remaining_quota: 120, details: {} }), observation).pools).toEqual([]);
    expect(snapshotFromV2(v2Body({ remaining_quota: 120 }), observation).pools).toEqual([]);
    const withNull = snapshotFromV2(
      v2Body({ remaining_quota: 120, details: { api: 120, seat: null } }),
      observation,
    );
    expect(withNull.pools.map((pool) => pool.name)).toEqual(["api"]);
  });

  it("reports used_quota / 60 as used when present and leaves it out when absent", () => {
    const used = snapshotFromV2(v2Body({ remaining_quota: 450, used_quota: 50 }), observation);
    expect(used.used).toBeCloseTo(50 / 60, 10);
    const notUsed = snapshotFromV2(v2Body({ remaining_quota: 450 }), observation);
    expect(notUsed).not.toHaveProperty("used");
  });

  const broken: Array<[string, unknown, string]> = [
    ["a missing remaining_quota", v2Body({ details: {} }), "remaining_quota"],
    ["remaining_quota as a string", v2Body({ remaining_quota: "3600" }), "remaining_quota"],
    ["NaN remaining_quota", v2Body({ remaining_quota: Number.NaN }), "remaining_quota"],
    ["a wrong shape", { error: null, data: { quota: 7200 } }, "remaining_quota"],
    ["no data", { error: null }, "data"],
  ];
  it.each(broken)("rejects %s as bad_response naming the field", (_case, body, field) => {
    expectBadResponse(() => snapshotFromV2(body, observation), field);
  });
});

describe("snapshotFromV2 for a plan-credit account (spendPool plan_credit, field case G8)", () => {
  const g8 = v2Body({ remaining_quota: 63, details: { plan_credit: 1091 } });

  it("records details.plan_credit in whole credits as the spendable pool; the API pool apart", () => {
    expect(snapshotFromV2(g8, observation, "plan_credit")).toEqual({
      ...observation,
      source: "v2",
      billingType: "legacy_quota",
      unit: "credits",
      remaining: 1091,
      spendPool: "plan_credit",
      pools: [{ name: "plan_credit", remaining: 1091, unit: "credits" }],
      otherPools: [{ name: "api", remaining: 1.05, unit: "credits", kind: "not_spent" }],
    });
  });

  it("the same body read for the API wallet: 1.05 credits spendable, 1091 plan credits apart (never 18.18)", () => {
    const snapshot = snapshotFromV2(g8, observation);
    expect(snapshot).toMatchObject({ remaining: 1.05, pools: [] });
    expect(snapshot.spendPool).toBeUndefined();
    expect(snapshot.otherPools).toEqual([
      { name: "plan_credit", remaining: 1091, unit: "credits", kind: "not_spent" },
    ]);
  });

  it("keeps a named api pool and other credit pools apart, counts as counts", () => {
    const body = v2Body({
      remaining_quota: 600,
      details: { api: 600, plan_credit: 40, streaming_avatar: 120, seat: 2 },
    });
    expect(snapshotFromV2(body, observation, "plan_credit")).toMatchObject({
      remaining: 40,
      pools: [{ name: "plan_credit", remaining: 40, unit: "credits" }],
      otherPools: [
        { name: "api", remaining: 10, unit: "credits", kind: "not_spent" },
        { name: "streaming_avatar", remaining: 2, unit: "credits", kind: "not_spent" },
        { name: "seat", remaining: 2, unit: "count", kind: "count" },
      ],
    });
  });

  it.each([
    ["no plan_credit pool", v2Body({ remaining_quota: 63, details: { api: 63 } })],
    ["plan_credit not a number", v2Body({ remaining_quota: 63, details: { plan_credit: "1091" } })],
    ["no details", v2Body({ remaining_quota: 63 })],
  ])("fails the reading when %s (never a 0 that would alarm)", (_case, body) => {
    expectBadResponse(() => snapshotFromV2(body, observation, "plan_credit"), "data.details");
  });
});
