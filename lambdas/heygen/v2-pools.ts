/**
 * What a `details` pool of `GET /v2/user/remaining_quota` holds. Sources: HeyGen's v2 reference
 * (docs.heygen.com/reference/get-remaining-quota-v2) names `api`; the pools below are those seen in public
 * replies (heygen-com/heygen-mcp issue #2, sbroenne/heygen-mcp models/user.py, klavis mcp_servers/heygen,
 * field cases F7-F10 and G8 in test/fixtures/field-cases). HeyGen documents none of their units, so:
 *
 * - `credits`: quota in seconds-like units, ÷ 60 = credits, as `remaining_quota` is (docs/heygen-facts.md#the-legacy-balance-endpoint-v2): `api`
 *   (the pool API calls spend, equal to `remaining_quota`), `streaming_avatar`, `avatar_ivi`,
 *   `personalized_video_ivi`;
 * - `plan_credit`: the web plan's credits, in **whole credits** (not ÷ 60): G8's live account reported
 *   `plan_credit: 1091` for 600 monthly + 491 rollover credits, and a ~38 s Video Agent render took 26 of them.
 *   Spendable only when the account's `spendPool` is `plan_credit`; otherwise reported apart (`not_spent`);
 * - `count`: how many of something the plan includes, kept as the raw count: `seat`, `seats` and any name
 *   ending in `_instance_quota` or `_seat`/`_seats`;
 * - `unknown`: anything else, kept as sent (unit `raw`) with a warning, so a new pool is seen, not guessed.
 */
export type V2PoolKind = "credits" | "plan_credit" | "count" | "unknown";

/** The v2 `details` key of the web plan's credit pool. */
export const PLAN_CREDIT_POOL = "plan_credit";

const CREDIT_POOLS = new Set(["api", "streaming_avatar", "avatar_ivi", "personalized_video_ivi"]);
const COUNT_POOL = /^(seats?|.+_instance_quota|.+_seats?)$/;

export function classifyV2Pool(name: string): V2PoolKind {
  if (CREDIT_POOLS.has(name)) return "credits";
  if (name === PLAN_CREDIT_POOL) return "plan_credit";
  if (COUNT_POOL.test(name)) return "count";
  return "unknown";
}
