import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * HeyGen's webhook signatures, kept in this one module because HeyGen has revised its header names. Three
 * schemes are accepted (field case G4 in test/fixtures/field-cases/heygen-2026-12.md has the sources):
 *
 * - `signature`: `Signature` = hex HMAC-SHA256 of the raw body with the endpoint secret (`whsec_…`)
 *   (docs.heygen.com "Webhook events": "the Signature header … HMAC SHA256 of the payload with your secret");
 * - `heygen-signature`: HeyGen v3 endpoints. `Heygen-Signature` = hex HMAC-SHA256 of the raw body, with
 *   `Heygen-Timestamp` (unix seconds) checked for age only, and `Heygen-Event-Id` naming the delivery
 *   (Meshpilot-AGI docs/vendors/heygen.md @061fed0, "DOC verified at developers.heygen.com 2026-09-02",
 *   and a public HeyGen integration spec: "Heygen-Signature: {hex-hmac-sha256-of-raw-body}");
 * - `heygen-signature-timestamped`: the older form this product first assumed, `Heygen-Signature` =
 *   HMAC-SHA256 of `timestamp + "." + body`, kept so that senders built against it keep working.
 *
 * Both `Heygen-Signature` schemes need a `Heygen-Timestamp` within TIMESTAMP_WINDOW_SECONDS of now: a stale,
 * future, missing or malformed timestamp fails them, so a captured delivery cannot be replayed later. Hex is
 * read in any case, with an optional `sha256=` prefix. Comparisons are of the 32-byte digests, constant-time,
 * so a forger learns nothing from timing.
 */

/** How far a `Heygen-Timestamp` may be from now, either way, in seconds. */
export const TIMESTAMP_WINDOW_SECONDS = 5 * 60;

/** The signature schemes a delivery can be verified by, as recorded in the webhook log (`signatureScheme`). */
export const SIGNATURE_SCHEMES = ["signature", "heygen-signature", "heygen-signature-timestamped"] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

/** Header lookup, case-insensitive as HTTP headers are (API Gateway lower-cases them). */
export type HeaderLookup = (name: string) => string | null | undefined;

/** The headers the signature schemes read, lowercase as API Gateway passes them. */
export const SIGNATURE_HEADERS = {
  signature: "signature",
  heygenSignature: "heygen-signature",
  timestamp: "heygen-timestamp",
  eventId: "heygen-event-id",
} as const;

/** Lowercase hex HMAC-SHA256 of `payload` with `secret`. */
export function hmacHex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}

/** The 32 bytes a header's hex digest names (any case, optional `sha256=`), or undefined if it names none. */
function digestOf(given: string | null | undefined): Buffer | undefined {
  if (typeof given !== "string") return undefined;
  const hex = given.trim().replace(/^sha256=/i, "");
  return /^[0-9a-fA-F]{64}$/.test(hex) ? Buffer.from(hex, "hex") : undefined;
}

function sameDigest(secret: string, payload: string, given: Buffer | undefined): boolean {
  if (!given) return false;
  return timingSafeEqual(createHmac("sha256", secret).update(payload, "utf8").digest(), given);
}

const present = (value: string | null | undefined): value is string =>
  typeof value === "string" && value.trim() !== "";

/**
 * True when the delivery carries no signature at all (neither `Signature` nor `Heygen-Signature`, or only
 * blank ones): what HeyGen sends to a job's own `callback_url`, which it does not sign (docs/heygen-facts.md#unsigned-callback_url-deliveries). Read
 * before any secret, so that the refusal can say why (docs/webhooks.md "Unsigned deliveries").
 */
export function isUnsignedDelivery(header: HeaderLookup): boolean {
  return !present(header(SIGNATURE_HEADERS.signature)) && !present(header(SIGNATURE_HEADERS.heygenSignature));
}

/** A `Heygen-Timestamp` (unix seconds) within the window of `now`; false when missing or malformed. */
function freshTimestamp(timestamp: string | null | undefined, now: Date): timestamp is string {
  if (typeof timestamp !== "string" || !/^\d{1,12}$/.test(timestamp.trim())) return false;
  return Math.abs(now.getTime() / 1000 - Number(timestamp.trim())) <= TIMESTAMP_WINDOW_SECONDS;
}

/**
 * The scheme by which `rawBody` carries a valid HeyGen signature made with `secret`, or undefined when none
 * verifies. `rawBody` must be the bytes as received (re-serialised JSON would not match). An empty secret
 * never verifies. Either header verifying is enough; `Signature` is tried first.
 */
export function verifyHeyGenSignature(
  rawBody: string,
  header: HeaderLookup,
  secret: string,
  now: Date,
): SignatureScheme | undefined {
  if (secret === "") return undefined;
  if (sameDigest(secret, rawBody, digestOf(header(SIGNATURE_HEADERS.signature)))) return "signature";
  const signature = digestOf(header(SIGNATURE_HEADERS.heygenSignature));
  const timestamp = header(SIGNATURE_HEADERS.timestamp);
  if (!signature || !freshTimestamp(timestamp, now)) return undefined;
  if (sameDigest(secret, rawBody, signature)) return "heygen-signature";
  if (sameDigest(secret, `${timestamp.trim()}.${rawBody}`, signature)) return "heygen-signature-timestamped";
  return undefined;
}

/**
 * The secrets a stored value holds: one, or several separated by whitespace while HeyGen's endpoint secret
 * is being rotated (the new one first), so that deliveries signed with either verify (docs/deploy.md).
 */
export function webhookSecretsOf(value: string | undefined): string[] {
  const text = (value ?? "").trim();
  // The deploy's placeholder is a sentence ("NOT_SET: put the ..."): its words are no secrets, or a delivery
  // signed with "put" would verify before the operator has put the real one.
  if (text.startsWith("NOT_SET")) return [];
  return text.split(/\s+/).filter((secret) => secret !== "");
}

export interface SignOptions {
  /** `Heygen-Event-Id`, the delivery's identity (HeyGen repeats it on a retry). */
  eventId?: string;
  /**
   * How to sign: `heygen-signature` (default) as HeyGen v3 does, `signature` as older endpoints do (the
   * `Signature` header only), `both` (v3 headers plus `Signature`), or `heygen-signature-timestamped`.
   */
  scheme?: SignatureScheme | "both";
}

/**
 * The headers a sender (the sandbox, tests) puts on a body, by default as HeyGen v3 signs: `Heygen-Signature`
 * = hex HMAC-SHA256 of the raw body, `Heygen-Timestamp` = `nowSeconds` (unix seconds, floored) and
 * `Heygen-Event-Id` when `options.eventId` is given.
 */
export function signHeyGenEvent(
  rawBody: string,
  secret: string,
  nowSeconds: number,
  options: SignOptions = {},
): Record<string, string> {
  const scheme = options.scheme ?? "heygen-signature";
  const timestamp = String(Math.floor(nowSeconds));
  const bodyHmac = hmacHex(secret, rawBody);
  const eventId: Record<string, string> = options.eventId
    ? { [SIGNATURE_HEADERS.eventId]: options.eventId }
    : {};
  if (scheme === "signature") return { [SIGNATURE_HEADERS.signature]: bodyHmac, ...eventId };
  const heygenSignature =
    scheme === "heygen-signature-timestamped" ? hmacHex(secret, `${timestamp}.${rawBody}`) : bodyHmac;
  return {
    ...(scheme === "both" ? { [SIGNATURE_HEADERS.signature]: bodyHmac } : {}),
    [SIGNATURE_HEADERS.heygenSignature]: heygenSignature,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    ...eventId,
  };
}
