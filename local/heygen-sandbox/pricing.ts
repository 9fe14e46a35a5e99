import { z } from "zod";
import { EstimateError, estimate } from "#core/estimator";
import { EstimateRequest, safeParseJobRequest } from "#core/job-spec";
import { createRateCardRegistry, type RateCardRegistry } from "#core/rate-card";
import type { SandboxAccount } from "./account.ts";

/**
 * What a simulated video costs the sandbox wallet: the job priced at its real duration by a rate card, the
 * way the guard prices a hold's commit (lambdas/service/webhook-pricing.ts), so that the charge HeyGen would make
 * and the amount the guard commits are the same number. The card is the job's `rateCard`, else the
 * account's, else the guard's default for the account's balance (RateCardRegistry.defaultFor).
 */

/** The job's fields that pick a price (no duration: the job's own `durationSeconds` is its length). */
export const VideoSpec = z
  .looseObject({})
  .refine((spec) => !("durationSeconds" in spec || "script" in spec || "scenes" in spec || "jobs" in spec), {
    message: "give the job's fields without a duration (durationSeconds is the job's own)",
  });
export type VideoSpec = z.infer<typeof VideoSpec>;

export interface PricedVideo {
  apiKey: string;
  durationSeconds: number;
  spec?: VideoSpec | undefined;
  rateCard?: string | undefined;
}

/** Prices videos with the built-in cards plus `extraCards` (the guard's `config.rateCards`). */
export class VideoPricing {
  readonly #cards: RateCardRegistry;

  constructor(extraCards: readonly unknown[] = []) {
    this.#cards = createRateCardRegistry(extraCards);
  }

  /**
   * The job's price in the account's unit (usd rounded up to cents, as the estimator shows it). Throws an
   * Error naming the field (`spec.engine`, `rateCard`) for a job the card cannot price.
   */
  price(account: SandboxAccount, job: PricedVideo): number {
    const unit = account.billingType === "wallet" ? (account.currency ?? "usd") : "credits";
    const cardId = job.rateCard ?? account.rateCard;
    let card: ReturnType<RateCardRegistry["get"]>;
    try {
      card = cardId ? this.#cards.get(cardId) : this.#cards.defaultFor(unit, account.billingType);
    } catch (error) {
      throw new Error(`rateCard: ${(error as Error).message}`);
    }
    if (card.unit !== unit) {
      throw new Error(`rateCard: "${card.id}" prices in ${card.unit}; this account's balance is in ${unit}`);
    }
    const request = safeParseJobRequest(EstimateRequest, {
      ...job.spec,
      durationSeconds: job.durationSeconds,
    });
    if (!request.success) {
      const issue = request.error.issues[0];
      throw new Error(`spec.${issue?.path.join(".") || "(spec)"}: ${issue?.message}`);
    }
    try {
      return estimate(request.data, card).total;
    } catch (error) {
      const field = error instanceof EstimateError ? `spec.${error.field}` : "spec";
      throw new Error(`${field}: ${(error as Error).message}`);
    }
  }
}
