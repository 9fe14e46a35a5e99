import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * HeyGen's webhook signature, kept in this one module because HeyGen has revised its header names.
 *
 * - `Signature`: lowercase hex HMAC-SHA256 of the raw body with the endpoint secret (`whsec_…`)
 *   (docs.heygen.com "Webhook events": "the Signature header … HMAC SHA256 of the payload with your secret").
 * - `Heygen-Signature` with `Heygen-Timestamp` (unix seconds): hex HMAC-SHA256 of `timestamp + "." + body`,
 *   accepted only within TIMESTAMP_WINDOW_SECONDS of now, so a captured delivery cannot be replayed later.
 *
 * Either passing is enough. Comparisons are constant-time, so a forger learns nothing from timing.
 */

/** How far a `Heygen-Timestamp` may be from now, either way, in seconds. */
export const TIMESTAMP_WINDOW_SECONDS = 5 * 60;

/** Header lookup, case-insensitive as HTTP headers are (API Gateway lower-cases them). */
export type HeaderLookup = (name: string) => string | null | undefined;

/** Lowercase hex HMAC-SHA256 of `payload` with `secret`. */
export function hmacHex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}

function sameHex(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given.trim().toLowerCase(), "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * True when the raw body carries a valid HeyGen signature made with `secret`. `rawBody` must be the bytes as
 * received (re-serialised JSON would not match). An empty secret never verifies.
 */
export function verifyHeyGenSignature(
  rawBody: string,
  header: HeaderLookup,
  secret: string,
  now: Date,
): boolean {
  if (secret === "") return false;
  if (sameHex(hmacHex(secret, rawBody), header("signature"))) return true;
  const timestamp = header("heygen-timestamp");
  const signature = header("heygen-signature");
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp.trim())) return false;
  const skewSeconds = Math.abs(now.getTime() / 1000 - Number(timestamp.trim()));
  if (skewSeconds > TIMESTAMP_WINDOW_SECONDS) return false;
  return sameHex(hmacHex(secret, `${timestamp.trim()}.${rawBody}`), signature);
}

/**
 * The secrets a stored value holds: one, or several separated by whitespace while HeyGen's endpoint secret
 * is being rotated (the new one first), so that deliveries signed with either verify (docs/deploy.md).
 */
export function webhookSecretsOf(value: string | undefined): string[] {
  return (value ?? "").split(/\s+/).filter((secret) => secret !== "" && !secret.startsWith("NOT_SET"));
}

/**
 * The headers a sender (the sandbox, tests) puts on a body: both schemes, so either verifier accepts it.
 * `nowSeconds` is the unix time stamped into `Heygen-Timestamp`.
 */
export function signHeyGenEvent(rawBody: string, secret: string, nowSeconds: number): Record<string, string> {
  const timestamp = String(Math.floor(nowSeconds));
  return {
    signature: hmacHex(secret, rawBody),
    "heygen-timestamp": timestamp,
    "heygen-signature": hmacHex(secret, `${timestamp}.${rawBody}`),
  };
}
