import * as z from "./zod.ts";

/**
 * HeyGen webhook events: `{ event_type, event_data: { callback_id?, <output id>, … } }` (docs.heygen.com
 * "Webhook events"; field cases F12 in test/fixtures/field-cases/heygen-2026-11.json and G1, G3 in
 * heygen-2026-12.json). Only a terminal outcome of a job (JOB_OUTCOME_EVENT_TYPES) settles a hold; every other
 * type, derived artefacts included, is acknowledged and ignored.
 */

/**
 * The event types that are a job's own terminal outcome: HeyGen's v3 webhook event catalogue
 * (heygen-com/heygen-cli gen/webhook.go @a287f2e, the generated `events` enum of
 * `POST /v3/webhooks/endpoints`) without the types that are not the outcome of the job a hold paid for:
 *
 * - `avatar_video_gif.*` and `avatar_video_caption.*`: a GIF or captions derived from a video, sent with the
 *   video's own `callback_id` (field case G1);
 * - `proofread_creation.*`: a translation's proofread being ready to edit, a step before the translation
 *   itself (whose outcome is `video_translate.*`);
 * - `personalized_video`: its type names no outcome (no `.success`/`.fail`).
 */
export const JOB_OUTCOME_EVENT_TYPES: ReadonlySet<string> = new Set(
  [
    "avatar_video",
    "video_translate",
    "video_agent",
    "instant_avatar",
    "photo_avatar_generation",
    "photo_avatar_train",
    "photo_avatar_add_motion",
    "live_avatar",
  ].flatMap((job) => [`${job}.success`, `${job}.fail`]),
);

/** The error codes HeyGen reports when a job failed because the account had no credit (field case F12). */
export const INSUFFICIENT_CREDIT_CODES = [
  "MOVIO_PAYMENT_INSUFFICIENT_CREDIT",
  "insufficient_credit",
] as const;

/**
 * HeyGen's credit failure in words ("Insufficient credit", "insufficient credits", field case G3): the two
 * words together, whole, in any case; not "insufficient" alone (docs/heygen-facts.md#errors: an "insufficient permissions"
 * failure is not a credit failure).
 */
const INSUFFICIENT_CREDIT_WORDS = /\binsufficient[\s_-]+credits?\b/i;

const Text = z.string().check(z.maxLength(2000));
const Id = z.string().check(z.minLength(1)).check(z.maxLength(200));

/** The part of an event that the guard reads; other fields are kept in the log entry as sent. */
export const HeyGenEvent = z.object({
  event_type: z
    .string()
    .check(z.minLength(1))
    .check(z.maxLength(100))
    .check(z.regex(/^[A-Za-z0-9_.-]+$/, "must be a HeyGen event type")),
  /** Some deliveries carry an id; a repeated id is the same delivery. */
  event_id: z.optional(Id),
  event_data: z.looseObject({
    video_id: z.optional(Id),
    /** A translation's output (v2 `video_translate.*` events, field case G3). */
    video_translate_id: z.optional(Id),
    /** The v3 name of the same id (`POST /v3/video-translations` answers one per language). */
    video_translation_id: z.optional(Id),
    id: z.optional(Id),
    callback_id: z.nullish(Id),
    /** Seconds; HeyGen sends it on some success events. */
    duration: z.nullish(z.number().check(z.nonnegative())),
    msg: z.nullish(Text),
    /** A translation failure's text (field case G3). */
    message: z.nullish(Text),
    failure_code: z.nullish(Text),
    failure_message: z.nullish(Text),
    /** An object (`{code, message}`, v3's error envelope) or a string. */
    error: z.optional(z.unknown()),
  }),
});
export type HeyGenEvent = z.infer<typeof HeyGenEvent>;

/** What an event means for the hold named by its `callback_id`. */
export type EventOutcome =
  | { kind: "success"; durationSeconds?: number }
  | { kind: "fail"; insufficientCredit: boolean; reason: string }
  | { kind: "ignored" };

/**
 * Classifies an event: a job outcome type (JOB_OUTCOME_EVENT_TYPES) by its suffix, and for a failure its text
 * (failureText) and whether it was for lack of credit; any other type is ignored.
 */
export function outcomeOf(event: HeyGenEvent): EventOutcome {
  if (!JOB_OUTCOME_EVENT_TYPES.has(event.event_type)) return { kind: "ignored" };
  const data = event.event_data;
  if (event.event_type.endsWith(".success")) {
    return typeof data.duration === "number"
      ? { kind: "success", durationSeconds: data.duration }
      : { kind: "success" };
  }
  const reason = failureText(data);
  return { kind: "fail", insufficientCredit: isInsufficientCredit(reason), reason };
}

/**
 * A failure's text from every field HeyGen puts it in: `failure_code`, `msg`, `message`, `failure_message`
 * and `error` (an object, serialised, or a string), joined by ": " in that order. Empty when none is given.
 */
export function failureText(data: HeyGenEvent["event_data"]): string {
  const error =
    typeof data.error === "string"
      ? data.error
      : typeof data.error === "object" && data.error !== null
        ? JSON.stringify(data.error)
        : "";
  const parts = [data.failure_code, data.msg, data.message, data.failure_message, error];
  return parts.filter((part): part is string => typeof part === "string" && part.length > 0).join(": ");
}

/** True for HeyGen's credit failure in any field it is reported in: one of its codes, or its words. */
export function isInsufficientCredit(text: string): boolean {
  const lower = text.toLowerCase();
  return (
    INSUFFICIENT_CREDIT_CODES.some((code) => lower.includes(code.toLowerCase())) ||
    INSUFFICIENT_CREDIT_WORDS.test(text)
  );
}

/**
 * The output an event is about: a translation's `video_translate_id` / `video_translation_id`, else the
 * `video_id`, else `id` (the order integrators read them in, field case G3). Undefined when none is given.
 */
export function outputIdOf(event: HeyGenEvent): string | undefined {
  const data = event.event_data;
  return data.video_translate_id ?? data.video_translation_id ?? data.video_id ?? data.id;
}

/**
 * The keys under which a delivery is recognised when HeyGen repeats it: the event type with the output id
 * (outputIdOf; the video id for a video), and the event id when there is one. Sorted, so the same delivery
 * always yields the same keys.
 */
export function deliveryKeys(event: HeyGenEvent): string[] {
  const keys: string[] = [];
  const outputId = outputIdOf(event);
  if (outputId) keys.push(`V#${event.event_type}#${outputId}`);
  if (event.event_id) keys.push(`I#${event.event_id}`);
  return keys.sort();
}
