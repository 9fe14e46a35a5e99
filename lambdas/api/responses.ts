import * as z from "zod";
import { ALERT_LEVELS, RELEASE_REASONS, SEVERITIES } from "#core/account";
import { BalanceSnapshot, Unit } from "#core/balance";
import { Estimate } from "#core/estimator";
import { RateCard } from "#core/rate-card";
import { SIGNATURE_SCHEMES } from "#core/webhook-signature";

/**
 * The API's answers, one zod schema each: the OpenAPI document and the client's types are generated from
 * them, and the route table (route-table.ts) types every route's answer by its schema, so an answer that
 * drifts from its schema does not compile. They are written from what the use cases return.
 */

/** A schema named as an OpenAPI component (`#/components/schemas/<id>`), keeping its description. */
export const named = <S extends z.ZodType>(schema: S, id: string): S =>
  schema.meta({ ...schema.meta(), id }) as S;

const IsoTime = z.string().meta({ description: "ISO 8601 time." });
const Amount = z.number().meta({ description: "In the account's balance unit (`unit`)." });
const nullable = <T extends z.ZodType>(schema: T, description: string) =>
  schema.nullable().meta({ description });

export const Health = z.strictObject({ status: z.literal("ok"), version: z.string() }).meta({ id: "Health" });

export const RateCards = z
  .strictObject({ rateCards: z.array(named(RateCard, "RateCard")) })
  .meta({ id: "RateCards", description: 'The rate cards the guard prices with (README, "Rate cards").' });

export const EstimateAnswer = named(Estimate, "Estimate");

export const CheckAnswer = z
  .strictObject({
    allowed: z.boolean(),
    decision: z.enum(["allow", "deny", "unknown"]),
    reason: z.string(),
    accountId: z.string(),
    unit: Unit,
    required: Amount,
    remaining: nullable(z.number(), "The recorded balance; null before the first good reading."),
    reserved: Amount,
    available: nullable(
      z.number(),
      "remaining − reserved − reserveFloor; null while the balance is unknown.",
    ),
    remainingAfter: nullable(z.number(), "available − required."),
    shortfall: nullable(z.number(), "How much is missing for the job to fit; 0 when it fits."),
    balanceObservedAt: IsoTime.nullable(),
    balanceAgeSeconds: z.number().nullable(),
    estimate: EstimateAnswer,
    warnings: z.array(z.string()),
  })
  .meta({ id: "CheckAnswer", description: "A no is an answer (allowed: false), not an error." });

const ForcedCommit = z
  .strictObject({
    by: z.string().meta({ description: "The caller's IAM principal (ARN) as API Gateway identified it." }),
    at: IsoTime,
    held: Amount.meta({ description: "The held part before the commit." }),
    available: Amount.meta({ description: "What the account had available then (may be negative)." }),
    asked: Amount.meta({ description: "What the commit recorded." }),
    allowed: Amount.meta({
      description: "The most it could have recorded unforced: held + max(0, available).",
    }),
  })
  .meta({ id: "ForcedCommit" });

export const Reservation = z
  .strictObject({
    id: z.string(),
    accountId: z.string(),
    amount: Amount.meta({ description: "The authorised total, in `unit`." }),
    unit: Unit.optional(),
    status: z.enum(["held", "committed", "released", "expired"]),
    committedAmount: Amount.meta({ description: "Σ committed parts." }),
    heldAmount: Amount.meta({
      description: "What still counts as held: amount − committedAmount while held, else 0.",
    }),
    createdAt: IsoTime,
    expiresAt: IsoTime,
    committedAt: IsoTime.optional(),
    totalAmount: Amount.optional().meta({
      description: "The job's whole cost: Σ committed parts, once a final commit ended the hold.",
    }),
    actualAmount: Amount.optional().meta({
      description:
        "The older name of totalAmount, kept for existing callers (in a commit request, actualAmount is the last part).",
    }),
    releasedAt: IsoTime.optional(),
    estimate: z
      .unknown()
      .optional()
      .meta({ description: "The Estimate the amount came from (a job-spec hold)." }),
    spec: z.unknown().optional().meta({ description: "The job spec that estimate priced." }),
    commitBasis: z
      .enum(["event-duration", "video-duration", "held-amount"])
      .optional()
      .meta({ description: "Set when a HeyGen webhook committed the hold: where its amount came from." }),
    forced: ForcedCommit.optional().meta({
      description: "Set when a commit was forced (force: true) past the hold plus what was available.",
    }),
    releaseReason: z
      .enum(RELEASE_REASONS)
      .optional()
      .meta({ description: "Why the pipeline released the hold, when its release said." }),
  })
  .meta({ id: "Reservation", description: "A credit hold; amounts in `unit`." });

export const ReservationPage = z
  .strictObject({
    reservations: z.array(Reservation),
    nextCursor: z
      .string()
      .optional()
      .meta({ description: "Send as `cursor` for the next page; absent on the last." }),
  })
  .meta({ id: "ReservationPage" });

export const WaitAnswer = z
  .strictObject({
    reservationId: z.string(),
    waiting: z.boolean(),
    resultSent: z.boolean().meta({ description: "The outcome was known already and was sent to the task." }),
  })
  .meta({ id: "WaitAnswer" });

const Snapshot = named(BalanceSnapshot, "BalanceSnapshot");

const AccountSummaryShape = {
  accountId: z.string(),
  unit: Unit.nullable(),
  remaining: z.number().nullable(),
  reserved: Amount,
  reserveFloor: Amount,
  available: nullable(z.number(), "remaining − reserved − reserveFloor; null while the balance is unknown."),
  activeReservations: z.number().int(),
  alertLevel: z.enum(["unknown", "ok", "warning", "critical", "exhausted"]),
  monitorDegraded: z.boolean(),
  consecutiveFailures: z.number().int(),
  lastFailure: z
    .strictObject({ at: IsoTime, code: z.string(), message: z.string(), until: IsoTime.optional() })
    .nullable(),
  retryNotBefore: nullable(
    z.strictObject({ until: IsoTime, reason: z.string() }),
    "HeyGen asked not to be called before `until` (a long Retry-After); null when it did not.",
  ),
  balanceObservedAt: IsoTime.nullable(),
  balanceAgeSeconds: z.number().nullable(),
  lastPollAt: IsoTime.nullable(),
  thresholds: z.strictObject({ warning: z.number(), critical: z.number() }),
  latest: Snapshot.nullable(),
};

export const AccountSummary = z.strictObject(AccountSummaryShape).meta({ id: "AccountSummary" });

export const AccountList = z.strictObject({ accounts: z.array(AccountSummary) }).meta({ id: "AccountList" });

export const Forecast = z
  .strictObject({
    burnRatePerHour: nullable(
      z.number(),
      "Consumption per hour in the balance's unit; null with too little data.",
    ),
    hoursToExhaustion: z.number().nullable(),
    exhaustsAt: IsoTime.nullable(),
    cappedByResetAt: IsoTime.optional(),
    samples: z.number().int(),
    spanMinutes: z
      .number()
      .meta({ description: "Minutes between the oldest and newest of those snapshots." }),
    minSpanMinutes: z
      .number()
      .meta({ description: "Minutes the snapshots must span before a burn rate is computed." }),
  })
  .meta({ id: "Forecast" });

export const AccountDetail = z
  .strictObject({
    ...AccountSummaryShape,
    oldestOpenHoldAgeSeconds: nullable(z.number(), "Age of the oldest hold still held; null when none."),
    forecast: Forecast.nullable(),
  })
  .meta({ id: "AccountDetail" });

export const RefreshAnswer = z
  .strictObject({
    ...AccountSummaryShape,
    refreshed: z.boolean(),
    reason: z.enum(["minRefreshIntervalSeconds", "heygen-error", "retryNotBefore"]).optional().meta({
      description:
        "Why not refreshed: read recently (or a reading in progress), HeyGen failed, or asked to wait.",
    }),
    refreshError: z.strictObject({ code: z.string(), message: z.string() }).optional(),
  })
  .meta({ id: "RefreshAnswer" });

export const History = z
  .strictObject({ accountId: z.string(), snapshots: z.array(Snapshot) })
  .meta({ id: "History" });

const AlertLevelOr = (...more: string[]) => z.enum([...ALERT_LEVELS, ...more]);

export const Alert = z
  .strictObject({
    accountId: z.string(),
    alertType: z.enum([
      "low_balance",
      "recovered",
      "forecast",
      "monitor_degraded",
      "monitor_recovered",
      "forced_commit",
    ]),
    severity: z.enum(SEVERITIES),
    level: AlertLevelOr("forecast", "monitor_degraded"),
    previousLevel: AlertLevelOr("unknown", "forecast", "monitor_degraded"),
    subject: z.string(),
    createdAt: IsoTime,
    remaining: z.number().optional(),
    available: z.number().optional(),
    unit: Unit.optional(),
    hoursToExhaustion: z.number().nullable().optional(),
    rateLimitedUntil: IsoTime.optional(),
    status: z.enum(["sent", "failed"]).optional(),
    error: z.string().optional(),
    test: z.boolean().optional(),
    forced: ForcedCommit.extend({ reservationId: z.string() }).optional().meta({
      description: "A forced_commit alert: the hold, who forced the commit and the amounts.",
    }),
  })
  .meta({ id: "Alert" });

export const AlertLog = z
  .strictObject({ accountId: z.string(), alerts: z.array(Alert) })
  .meta({ id: "AlertLog" });

export const TestAlertAnswer = z.strictObject({ alert: Alert }).meta({ id: "TestAlertAnswer" });

const WebhookLogShape = {
  accountId: z.string(),
  receivedAt: IsoTime,
  eventType: z.string(),
  videoId: z.string().optional(),
  outputId: z
    .string()
    .optional()
    .meta({ description: "The output the event is about when it is not the video (a translation's id)." }),
  eventId: z.string().optional(),
  callbackId: z.string().optional(),
  action: z.enum(["committed", "released", "replayed", "conflict", "unknown-reservation", "ignored"]),
  reservationId: z.string().optional(),
  reason: z.string().optional(),
  actualAmount: z.number().optional(),
  commitBasis: z.enum(["event-duration", "video-duration", "held-amount"]).optional(),
  signatureScheme: z
    .enum(SIGNATURE_SCHEMES)
    .optional()
    .meta({
      description:
        "How the delivery was verified: `signature` (Signature = HMAC of the body), `heygen-signature` " +
        "(Heygen-Signature = HMAC of the body, Heygen-Timestamp within 5 minutes; HeyGen v3) or " +
        "`heygen-signature-timestamped` (HMAC of `timestamp.body`). Absent on entries logged before it was recorded.",
    }),
};

export const WebhookEvents = z
  .strictObject({
    accountId: z.string(),
    events: z.array(z.strictObject(WebhookLogShape).meta({ id: "WebhookLogEntry" })),
  })
  .meta({ id: "WebhookEvents" });

export const WebhookReceipt = z
  .strictObject({
    ...WebhookLogShape,
    accountId: z.string().optional().meta({ description: "Absent when the callback_id names no account." }),
    received: z.literal(true),
    duplicate: z
      .boolean()
      .meta({ description: "HeyGen repeated a delivery already handled; nothing was done." }),
  })
  .meta({ id: "WebhookReceipt" });

export const WebhookStatus = z
  .strictObject({
    secretSet: z.boolean().meta({
      description:
        "The webhook secret holds a secret (not the deploy's NOT_SET placeholder): deliveries can verify.",
    }),
    secrets: z
      .number()
      .int()
      .meta({ description: "How many secrets verify deliveries: 2 while one is being rotated." }),
    readError: z
      .string()
      .optional()
      .meta({ description: "Why the secret could not be read (never the secret itself)." }),
  })
  .meta({
    id: "WebhookStatus",
    description: "Whether HeyGen's deliveries can be verified; the secret itself is never answered.",
  });

export const ProblemExplanation = z
  .strictObject({ type: z.string(), status: z.number().int(), title: z.string(), explanation: z.string() })
  .meta({ id: "ProblemExplanation" });

/** The OpenAPI document itself (its shape is OpenAPI 3.1's, not restated here). */
export const OpenApiDocument = z
  .looseObject({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }) })
  .meta({ id: "OpenApiDocument" });

export const FieldError = z.strictObject({
  pointer: z.string().meta({ description: "JSON pointer (RFC 6901) to the invalid field." }),
  detail: z.string(),
});

/** RFC 9457 problem+json; problem types add their own members (`required`, `reservationStatus`, ...). */
export const Problem = z
  .looseObject({
    type: z.url().meta({ description: "This API's GET /problems/{type}: what the problem means." }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().meta({ description: "The request id (API Gateway's), as in the logs." }),
    errors: z.array(FieldError).optional(),
  })
  .meta({ id: "Problem" });
