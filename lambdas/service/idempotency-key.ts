import { createHash } from "node:crypto";
import type { IdempotencyKeyUse } from "./reservation-port.ts";

/**
 * An Idempotency-Key with the fingerprint of what it was sent with (`operation` and the request as sent):
 * the same key with another request is refused rather than answered with the first request's answer.
 * Undefined when no key was sent.
 */
export function keyUse(
  key: string | undefined,
  operation: string,
  request: unknown,
): IdempotencyKeyUse | undefined {
  if (key === undefined) return undefined;
  const requestHash = createHash("sha256")
    .update(`${operation}\u0000${JSON.stringify(request ?? {})}`)
    .digest("base64url");
  return { key, requestHash };
}
