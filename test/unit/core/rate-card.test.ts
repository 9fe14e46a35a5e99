import { describe, expect, it } from "vitest";
import { estimate } from "#core/estimator";
import { EstimateRequest } from "#core/job-spec";
import {
  createRateCardRegistry,
  loadBuiltInCards,
  parseRateCard,
  RateCardError,
  RateCardRegistry,
  staleCardWarning,
  UnknownRateCardError,
} from "#core/rate-card";

/** A small valid user card; each test breaks one field of a copy. */
function userCard(): Record<string, unknown> {
  return {
    id: "acme-enterprise-2026",
    title: "Acme's negotiated HeyGen rates",
    unit: "credits",
    source: { url: "https://example.com/contract", date: "2026-03-01", title: "Acme contract" },
    billing: { rounding: "up-per-increment", incrementSeconds: 60 },
    resolutions: { "720p": { multiplier: "1" }, "1080p": { multiplier: "2" } },
    testMode: "free",
    items: [{ label: "Any avatar video", type: "avatar_video", rate: "0.5", per: "minute" }],
  };
}

function rejectionOf(json: unknown): RateCardError {
  try {
    parseRateCard(json, "test card");
  } catch (error) {
    if (error instanceof RateCardError) return error;
    throw error;
  }
  throw new Error("expected the card to be rejected");
}

describe("built-in rate cards", () => {
  it("load and validate, each naming its unit and source", () => {
    const cards = loadBuiltInCards();
    expect(cards.map((card) => [card.id, card.unit, card.source.url])).toEqual([
      ["heygen-payg-2026-05", "usd", "https://developers.heygen.com/docs/pricing"],
      ["heygen-web-credits-2026-05", "credits", "https://help.heygen.com"],
      ["heygen-payg-2026", "usd", "https://developers.heygen.com/docs/pricing"],
      ["heygen-api-credits-2025", "credits", "https://docs.heygen.com/reference/limits"],
      ["heygen-skill-guide", "credits", "../shared/heygen-quota-guide.md"],
      [
        "heygen-plan-credits-2026-09",
        "credits",
        "https://github.com/Meshpilot-AGI/meshpilot-digital-marketing-agent/blob/061fed0867fc95de099b021d9613d6030f383b74/docs/vendors/heygen.md",
      ],
    ]);
  });

  it("each carries when it was retrieved and from when it is valid", () => {
    for (const card of loadBuiltInCards()) {
      expect(card.retrievedAt, card.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(card.validFrom, card.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it("default by billing type: usd wallet -> payg 2026-05, API credits -> api-credits-2025, subscription -> web credits", () => {
    const registry = createRateCardRegistry();
    expect(registry.defaultFor("usd").id).toBe("heygen-payg-2026-05");
    expect(registry.defaultFor("usd", "wallet").id).toBe("heygen-payg-2026-05");
    expect(registry.defaultFor("usd", "usage_based").id).toBe("heygen-payg-2026-05");
    expect(registry.defaultFor("credits").id).toBe("heygen-api-credits-2025");
    expect(registry.defaultFor("credits", "wallet").id).toBe("heygen-api-credits-2025");
    expect(registry.defaultFor("credits", "legacy_quota").id).toBe("heygen-api-credits-2025");
    expect(registry.defaultFor("credits", "subscription").id).toBe("heygen-web-credits-2026-05");
    // A balance recorded in the plan-credit pool (spendPool plan_credit, field case G8) has its own card.
    expect(registry.defaultFor("credits", "legacy_quota", "plan_credit").id).toBe(
      "heygen-plan-credits-2026-09",
    );
    expect(registry.defaultFor("usd", "wallet", "api_wallet").id).toBe("heygen-payg-2026-05");
  });

  it("warns about a card retrieved more than maxAgeDays ago, and only then", () => {
    const card = createRateCardRegistry().get("heygen-api-credits-2025"); // retrieved 2025-11-01
    expect(staleCardWarning(card, new Date("2026-04-30T00:00:00Z"), 180)).toBeUndefined();
    expect(staleCardWarning(card, new Date("2026-05-01T00:00:00Z"), 180)).toContain(
      'rate card "heygen-api-credits-2025" was retrieved on 2025-11-01, 181 days ago',
    );
    const answer = estimate(EstimateRequest.parse({ engine: "photo_avatar", durationSeconds: 60 }), card, {
      now: new Date("2026-11-30T00:00:00Z"),
      maxAgeDays: 180,
    });
    expect(answer.warnings).toEqual([expect.stringContaining("checks.rateCardMaxAgeDays")]);
  });
});

describe("RateCardRegistry", () => {
  const registry = createRateCardRegistry([userCard()]);

  it("adds the user's cards from config, validated and usable", () => {
    expect(registry.list().map((card) => card.id)).toContain("acme-enterprise-2026");
    // 61 s → 120 s (60 s increments) × 0.5/min × 2 (1080p) = 2.
    const answer = estimate(
      EstimateRequest.parse({ durationSeconds: 61, resolution: "1080p" }),
      registry.get("acme-enterprise-2026"),
    );
    expect(answer.totalExact).toBe("2");
  });

  it("chooses the request's card, else the account's, else the unit's default", () => {
    const account = "heygen-skill-guide";
    expect(registry.choose({ requested: "acme-enterprise-2026", account, unit: "usd" }).id).toBe(
      "acme-enterprise-2026",
    );
    expect(registry.choose({ requested: undefined, account, unit: "usd" }).id).toBe(account);
    expect(registry.choose({ account: null, unit: "usd" }).id).toBe("heygen-payg-2026-05");
    expect(registry.choose({ account: null, unit: "credits", billingType: "subscription" }).id).toBe(
      "heygen-web-credits-2026-05",
    );
  });

  it("names the known cards when asked for an unknown one", () => {
    expect(() => registry.get("nope")).toThrow(UnknownRateCardError);
    expect(() => registry.get("nope")).toThrow(/unknown rate card "nope" \(known: .*heygen-payg-2026/);
    expect(registry.find("nope")).toBeUndefined();
  });

  it("refuses two cards with the same id", () => {
    expect(() => createRateCardRegistry([{ ...userCard(), id: "heygen-payg-2026" }])).toThrow(
      /duplicate rate card id/,
    );
    const [card] = loadBuiltInCards();
    expect(() => new RateCardRegistry(card ? [card, card] : [])).toThrow(RateCardError);
  });

  it("names the config entry of an invalid user card", () => {
    expect(() => createRateCardRegistry([userCard(), { ...userCard(), unit: "eur" }])).toThrow(
      /config rateCards\[1\]/,
    );
  });
});

describe("parseRateCard rejects a bad card, naming the field", () => {
  const card = userCard;
  const firstItem = () => (card().items as Record<string, unknown>[])[0] ?? {};
  const withItem = (overrides: Record<string, unknown>) => ({
    ...card(),
    items: [{ ...firstItem(), ...overrides }],
  });

  it.each([
    { name: "a missing title", json: { ...card(), title: undefined }, path: "title" },
    { name: "an unknown unit", json: { ...card(), unit: "eur" }, path: "unit" },
    { name: "a bad id", json: { ...card(), id: "Has Spaces" }, path: "id" },
    {
      name: "a bad source date",
      json: { ...card(), source: { ...(card().source as object), date: "March" } },
      path: "source.date",
    },
    {
      name: "increments without a size",
      json: { ...card(), billing: { rounding: "up-per-increment" } },
      path: "billing.incrementSeconds",
    },
    {
      name: "an unknown rounding",
      json: { ...card(), billing: { rounding: "nearest" } },
      path: "billing.rounding",
    },
    { name: "a rate as a float", json: withItem({ rate: 0.5 }), path: "items.0.rate" },
    { name: "a negative rate", json: withItem({ rate: "-1" }), path: "items.0.rate" },
    { name: "an unknown per", json: withItem({ per: "hour" }), path: "items.0.per" },
    { name: "an unknown engine", json: withItem({ engines: ["avatar_vi"] }), path: "items.0.engines.0" },
    { name: "an unknown item field", json: withItem({ discount: "10%" }), path: "items.0" },
    {
      name: "an item pricing no tier",
      json: withItem({ resolutions: { "720p": null, "1080p": null } }),
      path: "items.0.resolutions",
    },
    {
      name: "a tier with both a rate and a multiplier",
      json: withItem({ resolutions: { "4k": { rate: "1", multiplier: "2" } } }),
      path: "items.0.resolutions.4k",
    },
    { name: "no items", json: { ...card(), items: [] }, path: "items" },
    {
      name: "two items pricing the same jobs",
      json: { ...card(), items: [firstItem(), { ...firstItem(), label: "Again", engines: ["avatar_iv"] }] },
      path: "items.1",
    },
    {
      name: "an alias to an alias",
      json: { ...card(), engineAliases: { avatar_iv: "photo_avatar", photo_avatar: "digital_twin" } },
      path: "engineAliases.avatar_iv",
    },
    { name: "an unknown test mode", json: { ...card(), testMode: "cheap" }, path: "testMode" },
    { name: "an unknown top-level field", json: { ...card(), currency: "usd" }, path: "(root)" },
  ])("$name → $path", ({ json, path }) => {
    const error = rejectionOf(json);
    expect(error.issues.map((issue) => issue.path)).toContain(path);
    expect(error.message).toContain("test card");
    expect(error.message).toContain(path);
  });

  it("accepts the valid card the rejections start from", () => {
    expect(parseRateCard(card(), "test card").id).toBe("acme-enterprise-2026");
  });
});
