/**
 * What a `details` pool of `GET /v2/user/remaining_quota` holds. Sources: HeyGen's v2 reference
 * (docs.heygen.com/reference/get-remaining-quota-v2) names `api`; the pools below are those seen in public
 * replies (heygen-com/heygen-mcp issue #2, sbroenne/heygen-mcp models/user.py, klavis mcp_servers/heygen,
 * field cases F7-F10 in test/fixtures/field-cases). HeyGen documents none of their units, so:
 *
 * - `credits`: quota in seconds-like units, ÷ 60 = credits, as `remaining_quota` is (design §2.3): `api`
 *   (the pool API calls spend, equal to `remaining_quota`), `streaming_avatar`, `avatar_ivi`,
 *   `personalized_video_ivi`;
 * - `not_api_spendable`: web-plan credits an API key cannot spend (design §2.10): `plan_credit`, reported
 *   apart (÷ 60 like every quota) and never added to the spendable amount;
 * - `count`: how many of something the plan includes, kept as the raw count: `seat`, `seats` and any name
 *   ending in `_instance_quota` or `_seat`/`_seats`;
 * - `unknown`: anything else, kept as sent (unit `raw`) with a warning, so a new pool is seen, not guessed.
 */
export type V2PoolKind = "credits" | "not_api_spendable" | "count" | "unknown";

const CREDIT_POOLS = new Set(["api", "streaming_avatar", "avatar_ivi", "personalized_video_ivi"]);
const NOT_API_SPENDABLE = new Set(["plan_credit"]);
const COUNT_POOL = /^(seats?|.+_instance_quota|.+_seats?)$/;

export function classifyV2Pool(name: string): V2PoolKind {
  if (CREDIT_POOLS.has(name)) return "credits";
  if (NOT_API_SPENDABLE.has(name)) return "not_api_spendable";
  if (COUNT_POOL.test(name)) return "count";
  return "unknown";
}
