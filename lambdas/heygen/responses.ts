import * as z from "zod";

/**
 * The bodies HeyGen answers on the two balance endpoints (design §2.2, §2.3, §2.5), as documented on
 * developers.heygen.com (get-current-user) and docs.heygen.com (get-remaining-quota-v2). Objects are not
 * strict: HeyGen adds fields over time and an unknown field must not fail a poll. Values documented as
 * "number or null" are nullable here; the normaliser decides which nulls it can do without.
 */

const amount = z.number().nonnegative();
const optionalAmount = amount.nullish();

const V3CreditPool = z.object({
  remaining: optionalAmount,
  resets_at: z.string().nullish(),
});

const V3Wallet = z.object({
  currency: z.enum(["usd", "credits"]),
  remaining_balance: amount,
  auto_reload: z
    .object({ enabled: z.boolean(), threshold_usd: optionalAmount, amount_usd: optionalAmount })
    .nullish(),
});

const V3Subscription = z.object({
  plan: z.string().nullish(),
  credits: z.object({
    premium_credits: V3CreditPool.nullish(),
    add_on_credits: V3CreditPool.nullish(),
  }),
});

const V3UsageBased = z.object({
  included_credits: optionalAmount,
  remaining_credits: amount,
  spending_cap_usd: optionalAmount,
  spending_current_usd: optionalAmount,
});

/** `GET /v3/users/me`: `billing_type` says which one of the three billing objects is filled. */
export const V3UserResponse = z.object({
  data: z.discriminatedUnion("billing_type", [
    z.object({ billing_type: z.literal("wallet"), wallet: V3Wallet }),
    z.object({ billing_type: z.literal("subscription"), subscription: V3Subscription }),
    z.object({ billing_type: z.literal("usage_based"), usage_based: V3UsageBased }),
  ]),
});
export type V3UserResponse = z.infer<typeof V3UserResponse>;

/**
 * `GET /v2/user/remaining_quota`. Quota is seconds-like units: 60 per credit. `details` may be `{}` or
 * miss any pool; `used_quota` appears in HeyGen's quota guide only, so it is accepted, never required.
 */
export const V2QuotaResponse = z.object({
  data: z.object({
    remaining_quota: amount,
    used_quota: optionalAmount,
    details: z.record(z.string(), amount.nullable()).nullish(),
  }),
});
export type V2QuotaResponse = z.infer<typeof V2QuotaResponse>;

const errorCode = z.union([z.string(), z.number()]);

/** v3 `{"error":{"code","message","param"?,"doc_url"?}}` and v1/v2 `{"data":null,"error":{"code","message"}}`. */
export const NestedErrorEnvelope = z.object({
  error: z.object({ code: errorCode, message: z.string().nullish() }),
});

/** v1/v2 `{"code":40009,"message":"..."}`; code 100 is HeyGen's legacy "success", not an error. */
export const LegacyCodeEnvelope = z.object({
  code: errorCode.refine((code) => String(code) !== "100"),
  message: z.string().nullish(),
});

export interface ReportedError {
  code: string;
  message?: string;
}

/** The error a body reports in either envelope, if it reports one. */
export function readReportedError(body: unknown): ReportedError | undefined {
  const nested = NestedErrorEnvelope.safeParse(body);
  const found = nested.success ? nested.data.error : LegacyCodeEnvelope.safeParse(body).data;
  if (!found) return undefined;
  return { code: String(found.code), ...(found.message ? { message: found.message } : {}) };
}
