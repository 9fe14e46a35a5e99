import { isInsufficientCredit } from "./heygen-events.ts";

/**
 * The error name a pipeline's own task (a Lambda calling HeyGen's create endpoint) raises when HeyGen refuses
 * the job for lack of credit: the example state machines catch it, with the HTTP task's
 * `States.Http.StatusCode.402`, to release the hold with reason `insufficient_credit` (docs/webhooks.md).
 */
export const CREDIT_REFUSAL_ERROR = "HeyGen.InsufficientCredit";

/** Nesting read for HeyGen's fields: v3's `{error: {code, message}}` is two deep; deeper is not HeyGen's. */
const MAX_DEPTH = 3;

/**
 * True when HeyGen's answer to a create call (`POST /v3/video-agents`, `/v3/videos`, `/v2/video/generate`)
 * refuses it for lack of credit (field case G10): HTTP 402, or HeyGen's credit code or words
 * (isInsufficientCredit: `insufficient_credit`, `MOVIO_PAYMENT_INSUFFICIENT_CREDIT`, "insufficient credit")
 * in any string field of the body (`error.code`, `error.message`, `message`, `msg`, …), whatever its status.
 * `body` is the parsed JSON, or the text when it was not JSON. "insufficient permissions" is not a refusal.
 */
export function isCreditRefusal(status: number, body: unknown): boolean {
  if (status === 402) return true;
  return textsOf(body, 0).some(isInsufficientCredit);
}

function textsOf(value: unknown, depth: number): string[] {
  if (typeof value === "string") return [value];
  if (depth >= MAX_DEPTH || typeof value !== "object" || value === null) return [];
  return Object.values(value).flatMap((field) => textsOf(field, depth + 1));
}
