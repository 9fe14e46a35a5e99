import * as z from "zod";

/**
 * HeyGen webhook events (docs.heygen.com "Webhook events"; field case F12 in
 * test/fixtures/field-cases/heygen-2026-11.json): `{ event_type, event_data: { video_id, callback_id?, … } }`.
 * Event types end in `.success` or `.fail` (`avatar_video.success`, `video_translate.fail`,
 * `video_agent.success`, …); any other type is acknowledged and ignored.
 */

/** The error HeyGen reports when a job failed because the account had no credit (field case F12). */
export const INSUFFICIENT_CREDIT_CODES = [
  "MOVIO_PAYMENT_INSUFFICIENT_CREDIT",
  "insufficient_credit",
] as const;

const Text = z.string().max(2000);
const Id = z.string().min(1).max(200);

/** The part of an event that the guard reads; other fields are kept in the log entry as sent. */
export const HeyGenEvent = z.object({
  event_type: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.-]+$/, "must be a HeyGen event type"),
  /** Some deliveries carry an id; a repeated id is the same delivery. */
  event_id: Id.optional(),
  event_data: z.looseObject({
    video_id: Id.optional(),
    callback_id: Id.nullish(),
    /** Seconds; HeyGen sends it on some success events. */
    duration: z.number().finite().nonnegative().nullish(),
    msg: Text.nullish(),
    failure_code: Text.nullish(),
    failure_message: Text.nullish(),
    error: z.unknown().optional(),
  }),
});
export type HeyGenEvent = z.infer<typeof HeyGenEvent>;

/** What an event means for the hold named by its `callback_id`. */
export type EventOutcome =
  | { kind: "success"; durationSeconds?: number }
  | { kind: "fail"; insufficientCredit: boolean; reason: string }
  | { kind: "ignored" };

/** Classifies an event by its type's suffix and, for a failure, whether it was for lack of credit. */
export function outcomeOf(event: HeyGenEvent): EventOutcome {
  const data = event.event_data;
  if (event.event_type.endsWith(".success")) {
    return typeof data.duration === "number"
      ? { kind: "success", durationSeconds: data.duration }
      : { kind: "success" };
  }
  if (event.event_type.endsWith(".fail")) {
    const error = typeof data.error === "object" && data.error !== null ? JSON.stringify(data.error) : "";
    const reason = [data.failure_code, data.msg, data.failure_message, error].filter(Boolean).join(": ");
    return { kind: "fail", insufficientCredit: isInsufficientCredit(reason), reason };
  }
  return { kind: "ignored" };
}

/** True for HeyGen's credit failure in any field it is reported in (code or message). */
export function isInsufficientCredit(text: string): boolean {
  const lower = text.toLowerCase();
  return INSUFFICIENT_CREDIT_CODES.some((code) => lower.includes(code.toLowerCase()));
}

/**
 * The keys under which a delivery is recognised when HeyGen repeats it: the event type with the video id,
 * and the event id when there is one. Sorted, so the same delivery always yields the same keys.
 */
export function deliveryKeys(event: HeyGenEvent): string[] {
  const keys: string[] = [];
  if (event.event_data.video_id) keys.push(`V#${event.event_type}#${event.event_data.video_id}`);
  if (event.event_id) keys.push(`I#${event.event_id}`);
  return keys.sort();
}
