import type { BillingType } from "./balance.ts";
import { Unit } from "./balance.ts";
import { Engine, JobType, Resolution, TranslationMode } from "./job-spec.ts";
import apiCredits2025 from "./rate-cards/heygen-api-credits-2025.json" with { type: "json" };
import payg2026 from "./rate-cards/heygen-payg-2026.json" with { type: "json" };
import payg202605 from "./rate-cards/heygen-payg-2026-05.json" with { type: "json" };
import planCredits202609 from "./rate-cards/heygen-plan-credits-2026-09.json" with { type: "json" };
import skillGuide from "./rate-cards/heygen-skill-guide.json" with { type: "json" };
import webCredits202605 from "./rate-cards/heygen-web-credits-2026-05.json" with { type: "json" };
import type { SpendPool } from "./spend-pool.ts";
import * as z from "./zod.ts";
import { documentIssues, InvalidDocumentError } from "./zod-issues.ts";
import { described } from "./zod-meta.ts";

/**
 * A rate card is data (docs/estimates.md): every card is expressed by this one schema, so the estimator has no
 * branch per card id. Rates are decimal strings ("0.0667") so that they are exact.
 */

const DecimalText = described(
  z
    .string()
    .check(
      z.regex(
        /^\d+(\.\d+)?$/,
        'must be a non-negative decimal string such as "0.0667" (a string keeps it exact)',
      ),
    ),
  "DecimalText",
);

/** Either a multiplier of the item's base rate or a rate of its own for this tier. */
const TierPrice = z.union([
  z.strictObject({ multiplier: DecimalText }),
  z.strictObject({ rate: DecimalText }),
]);
export type TierPrice = z.output<typeof TierPrice>;

const Seconds = z.number().check(z.nonnegative());
const IsoDate = z.iso.date();

const Billing = z.discriminatedUnion("rounding", [
  described(
    z.strictObject({
      rounding: z.literal("up-per-increment"),
      incrementSeconds: z.number().check(z.positive()),
      minimumSeconds: z._default(Seconds, 0),
    }),
    "Billing.0",
  ),
  described(
    z.strictObject({ rounding: z.literal("ceil-total"), minimumSeconds: z._default(Seconds, 0) }),
    "Billing.1",
  ),
]);
export type Billing = z.output<typeof Billing>;

const RateItem = z.strictObject({
  label: z.string().check(z.minLength(1)),
  type: JobType,
  /** Absent: priced the same whatever the engine. */
  engines: z.optional(z.array(Engine).check(z.minLength(1))),
  /** Absent: priced the same whatever the translation mode. */
  translationModes: z.optional(z.array(TranslationMode).check(z.minLength(1))),
  rate: DecimalText,
  per: z.enum(["second", "minute", "video", "session", "call"]),
  /** The durations HeyGen accepts for this item (e.g. Cinematic Avatar, 4–15 s); others are refused (422). */
  durationLimits: z.optional(
    z.strictObject({
      minSeconds: z.optional(Seconds),
      maxSeconds: z.optional(z.number().check(z.positive())),
    }),
  ),
  /** Overrides of the card's increment or minimum for this item (e.g. a streaming minimum). */
  billing: z.optional(
    z.strictObject({
      incrementSeconds: z.optional(z.number().check(z.positive())),
      minimumSeconds: z.optional(Seconds),
    }),
  ),
  /** Merged over the card's resolutions; null removes a tier. */
  resolutions: z.optional(z.partialRecord(Resolution, z.nullable(TierPrice))),
  notes: z.optional(z.array(z.string().check(z.minLength(1)))),
});
export type RateItem = z.output<typeof RateItem>;

const rateCardShape = {
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, "must match [a-z0-9][a-z0-9.-]{0,63}")),
  title: z.string().check(z.minLength(1)),
  unit: Unit,
  source: z.strictObject({
    url: z.string().check(z.minLength(1)),
    date: z.string().check(z.regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, "must be YYYY, YYYY-MM or YYYY-MM-DD")),
    title: z.string().check(z.minLength(1)),
  }),
  /** When the rates were read from the source (YYYY-MM-DD); the card's age for `checks.rateCardMaxAgeDays`. */
  retrievedAt: z.optional(IsoDate),
  /** From when HeyGen charges these rates (YYYY-MM-DD). */
  validFrom: z.optional(IsoDate),
  billing: Billing,
  /** Tiers priced by default; a tier missing here and in an item is not priced. */
  resolutions: z.partialRecord(Resolution, TierPrice),
  /** An engine priced as another one on this card (e.g. avatar_iv → photo_avatar). */
  engineAliases: z._default(z.partialRecord(Engine, Engine), {}),
  testMode: z.enum(["free", "full-cost-with-warning"]),
  notes: z._default(z.array(z.string().check(z.minLength(1))), []),
  items: z.array(RateItem).check(z.minLength(1)),
};

export const RateCard = z.strictObject(rateCardShape).check(z.superRefine(checkCard));
export type RateCard = z.output<typeof RateCard>;

function checkCard(card: z.output<z.ZodMiniObject<typeof rateCardShape>>, ctx: z.core.$RefinementCtx): void {
  card.items.forEach((item, index) => {
    if (pricedTiers(card, item).length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["items", index, "resolutions"],
        message: "prices no resolution",
      });
    }
    const clash = card.items.findIndex((other, otherIndex) => otherIndex < index && overlaps(item, other));
    if (clash >= 0) {
      ctx.addIssue({
        code: "custom",
        path: ["items", index],
        message: `prices the same jobs as items.${clash} (${card.items[clash]?.label})`,
      });
    }
  });
  for (const [alias, target] of Object.entries(card.engineAliases)) {
    if (target && card.engineAliases[target]) {
      ctx.addIssue({
        code: "custom",
        path: ["engineAliases", alias],
        message: `"${target}" is itself an alias`,
      });
    }
  }
}

function overlaps(a: RateItem, b: RateItem): boolean {
  return (
    a.type === b.type &&
    intersects(a.engines, b.engines) &&
    intersects(a.translationModes, b.translationModes)
  );
}

/** Undefined means "all", so it meets everything. */
function intersects<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean {
  return !a || !b || a.some((value) => b.includes(value));
}

/** The item's price table: the card's tiers, overridden (or removed, with null) by the item's. */
export function tierPrices(
  card: Pick<RateCard, "resolutions">,
  item: RateItem,
): Partial<Record<Resolution, TierPrice>> {
  const merged: Partial<Record<Resolution, TierPrice | null>> = { ...card.resolutions, ...item.resolutions };
  return Object.fromEntries(Object.entries(merged).filter(([, price]) => price)) as Partial<
    Record<Resolution, TierPrice>
  >;
}

export function pricedTiers(card: Pick<RateCard, "resolutions">, item: RateItem): Resolution[] {
  return Resolution.options.filter((tier) => tierPrices(card, item)[tier] !== undefined);
}

/** An invalid rate card; the message names every invalid field (e.g. `items.3.rate`). */
export class RateCardError extends InvalidDocumentError {
  override readonly name = "RateCardError";
  constructor(source: string, issues: { path: string; message: string }[]) {
    super("rate card", source, issues);
  }
}

/** Validates a card; throws RateCardError naming each invalid field (e.g. `items.3.rate`). */
export function parseRateCard(json: unknown, source: string): RateCard {
  const result = RateCard.safeParse(json);
  if (result.success) return result.data;
  throw new RateCardError(source, documentIssues(result.error));
}

/** Old ids stay, so that an estimate made with them can be reproduced. */
export const BUILT_IN_CARD_FILES = {
  "heygen-payg-2026-05.json": payg202605,
  "heygen-web-credits-2026-05.json": webCredits202605,
  "heygen-payg-2026.json": payg2026,
  "heygen-api-credits-2025.json": apiCredits2025,
  "heygen-skill-guide.json": skillGuide,
  "heygen-plan-credits-2026-09.json": planCredits202609,
} as const;

/** The cards shipped in lambdas/core/rate-cards, validated like any other. */
export function loadBuiltInCards(): RateCard[] {
  return Object.entries(BUILT_IN_CARD_FILES).map(([file, json]) => parseRateCard(json, `rate-cards/${file}`));
}

/**
 * Defaults by what the balance is (docs/estimates.md): a usd balance is the API wallet, priced by the
 * pay-as-you-go card; API credits (a credits wallet, `legacy_quota`, usage-based credits) by the API credit
 * card; a `subscription` holds web-plan premium credits, priced by the web credit card.
 */
export const DEFAULT_CARD_IDS: Readonly<Record<Unit, string>> = {
  usd: "heygen-payg-2026-05",
  credits: "heygen-api-credits-2025",
};
/**
 * The unit a check assumes for an account whose balance has never been read (a wrong key, HeyGen down since
 * the start) and which names no card: usd, the API wallet that an API key spends (docs/heygen-facts.md#which-pool-pays). Credits
 * would price it by the 2025 API credit card, which is most likely not how the account is billed, and whose
 * age warning would describe the fallback, not the account.
 */
export const UNREAD_BALANCE_UNIT: Unit = "usd";

/** The warning of an estimate priced by the fallback card because no balance (hence no unit) is known. */
export function unreadBalanceCardWarning(card: RateCard): string {
  return (
    `no balance of this account has been read yet, so its unit is unknown: priced by "${card.id}" ` +
    `(${card.unit}), the default for an account that names no rateCard and has no reading; set the ` +
    "account's (or the request's) rateCard if HeyGen bills it otherwise"
  );
}

export const DEFAULT_CARD_IDS_BY_BILLING_TYPE: Readonly<Partial<Record<BillingType, string>>> = {
  subscription: "heygen-web-credits-2026-05",
};
/** A balance recorded in a pool other than the API wallet is priced by that pool's card, first (field case G8). */
export const DEFAULT_CARD_IDS_BY_SPEND_POOL: Readonly<Partial<Record<SpendPool, string>>> = {
  plan_credit: "heygen-plan-credits-2026-09",
};

export class RateCardRegistry {
  private readonly cards = new Map<string, RateCard>();

  constructor(cards: readonly RateCard[]) {
    for (const card of cards) {
      if (this.cards.has(card.id))
        throw new RateCardError(card.id, [{ path: "id", message: "duplicate rate card id" }]);
      this.cards.set(card.id, card);
    }
  }

  find(id: string): RateCard | undefined {
    return this.cards.get(id);
  }

  /** Throws UnknownRateCardError (naming the known ids) when the id is not registered. */
  get(id: string): RateCard {
    const card = this.cards.get(id);
    if (!card) throw new UnknownRateCardError(id, [...this.cards.keys()]);
    return card;
  }

  list(): RateCard[] {
    return [...this.cards.values()];
  }

  /**
   * The default card for a balance in `unit`, of `billingType` when known, recorded in `spendPool` (absent:
   * the API wallet) (DEFAULT_CARD_IDS*: the pool's card, else the billing type's, else the unit's).
   */
  defaultFor(unit: Unit, billingType?: BillingType, spendPool?: SpendPool): RateCard {
    const byPool = spendPool === undefined ? undefined : DEFAULT_CARD_IDS_BY_SPEND_POOL[spendPool];
    const byType = billingType === undefined ? undefined : DEFAULT_CARD_IDS_BY_BILLING_TYPE[billingType];
    return this.get(byPool ?? byType ?? DEFAULT_CARD_IDS[unit]);
  }

  /** The request's card, else the account's, else the default for the balance (docs/estimates.md). */
  choose(choice: {
    requested?: string | null;
    account?: string | null;
    unit: Unit;
    billingType?: BillingType;
    spendPool?: SpendPool;
  }): RateCard {
    const id = choice.requested ?? choice.account;
    return id ? this.get(id) : this.defaultFor(choice.unit, choice.billingType, choice.spendPool);
  }
}

const MS_PER_DAY = 86_400_000;

/**
 * A warning when `card` was retrieved more than `maxAgeDays` before `now` (its prices may have changed
 * since), else undefined. A card without `retrievedAt` is dated by its source date.
 */
export function staleCardWarning(card: RateCard, now: Date, maxAgeDays: number): string | undefined {
  const dated = card.retrievedAt ?? card.source.date;
  const from = Date.parse(dated.length === 4 ? `${dated}-01-01` : dated.length === 7 ? `${dated}-01` : dated);
  if (!Number.isFinite(from)) return undefined;
  const ageDays = Math.floor((now.getTime() - from) / MS_PER_DAY);
  if (ageDays <= maxAgeDays) return undefined;
  return (
    `rate card "${card.id}" was retrieved on ${dated}, ${ageDays} days ago (more than checks.rateCardMaxAgeDays, ` +
    `${maxAgeDays}): HeyGen's prices may have changed since (${card.source.url})`
  );
}

export class UnknownRateCardError extends Error {
  override readonly name = "UnknownRateCardError";
  constructor(
    readonly id: string,
    readonly known: string[],
  ) {
    super(`unknown rate card "${id}" (known: ${known.join(", ")})`);
  }
}

/** The built-in cards plus the user's cards from config (`config.rateCards`), all validated. */
export function createRateCardRegistry(configCards: readonly unknown[] = []): RateCardRegistry {
  const userCards = configCards.map((json, index) => parseRateCard(json, `config rateCards[${index}]`));
  return new RateCardRegistry([...loadBuiltInCards(), ...userCards]);
}
