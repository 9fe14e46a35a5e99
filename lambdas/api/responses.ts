import { ALERT_LEVELS, RELEASE_REASONS, SEVERITIES } from "#core/account";
import { ALERT_OUTLETS } from "#core/alert-delivery";
import { BalanceSnapshot, Unit } from "#core/balance";
import { Estimate } from "#core/estimate";
import { RateCard } from "#core/rate-card";
import { SIGNATURE_SCHEMES } from "#core/webhook-signature";
import * as z from "#core/zod";
import { named, withMeta } from "#core/zod-meta";
import { DigestFacts, DriftFacts, UnexplainedFacts } from "./responses-spend.ts";

/**
 * The API's answers, one zod schema each: the OpenAPI document and the client's types are generated from
 * them, and the route table (route-table.ts) types every route's answer by its schema, so an answer that
 * drifts from its schema does not compile. They are written from what the use cases return.
 */

export const IsoTime = withMeta(z.string(), { description: "ISO 8601 time." });
export const Amount = withMeta(z.number(), { description: "In the account's balance unit (`unit`)." });
export const nullable = <T extends z.ZodMiniType>(schema: T, description: string) =>
  withMeta(z.nullable(schema), { description });

export const Health = withMeta(z.strictObject({ status: z.literal("ok"), version: z.string() }), {
  id: "Health",
});

export const RateCards = withMeta(z.strictObject({ rateCards: z.array(named(RateCard, "RateCard")) }), {
  id: "RateCards",
  description: 'The rate cards the guard prices with (README, "Rate cards").',
});

export const EstimateAnswer = named(Estimate, "Estimate");

const ForcedCommit = withMeta(
  z.strictObject({
    by: withMeta(z.string(), {
      description: "The caller's IAM principal (ARN) as API Gateway identified it.",
    }),
    at: IsoTime,
    held: withMeta(Amount, { description: "The held part before the commit." }),
    available: withMeta(Amount, { description: "What the account had available then (may be negative)." }),
    asked: withMeta(Amount, { description: "What the commit recorded." }),
    allowed: withMeta(Amount, {
      description: "The most it could have recorded unforced: held + max(0, available).",
    }),
  }),
  { id: "ForcedCommit" },
);

export const Reservation = withMeta(
  z.strictObject({
    id: z.string(),
    accountId: z.string(),
    amount: withMeta(Amount, { description: "The authorised total, in `unit`." }),
    unit: z.optional(Unit),
    status: z.enum(["held", "committed", "released", "expired"]),
    committedAmount: withMeta(Amount, { description: "Σ committed parts." }),
    heldAmount: withMeta(Amount, {
      description: "What still counts as held: amount − committedAmount while held, else 0.",
    }),
    createdAt: IsoTime,
    expiresAt: IsoTime,
    committedAt: z.optional(IsoTime),
    totalAmount: withMeta(z.optional(Amount), {
      description: "The job's whole cost: Σ committed parts, once a final commit ended the hold.",
    }),
    actualAmount: withMeta(z.optional(Amount), {
      description:
        "The older name of totalAmount, kept for existing callers (in a commit request, actualAmount is the last part).",
    }),
    releasedAt: z.optional(IsoTime),
    estimate: withMeta(z.optional(z.unknown()), {
      description: "The Estimate the amount came from (a job-spec hold).",
    }),
    spec: withMeta(z.optional(z.unknown()), { description: "The job spec that estimate priced." }),
    commitBasis: withMeta(z.optional(z.enum(["event-duration", "video-duration", "held-amount"])), {
      description: "Set when a HeyGen webhook committed the hold: where its amount came from.",
    }),
    forced: withMeta(z.optional(ForcedCommit), {
      description: "Set when a commit was forced (force: true) past the hold plus what was available.",
    }),
    releaseReason: withMeta(z.optional(z.enum(RELEASE_REASONS)), {
      description: "Why the pipeline released the hold, when its release said.",
    }),
    principal: withMeta(z.optional(z.string()), {
      description: "The caller's IAM principal that made the hold.",
    }),
    budget: withMeta(z.optional(z.string()), {
      description: "The budget the hold was reserved through, when one was named; it counts in its period.",
    }),
    labels: withMeta(z.optional(z.record(z.string(), z.string())), {
      description: "The hold's labels: those of the request, over those of its budget.",
    }),
  }),
  { id: "Reservation", description: "A credit hold; amounts in `unit`." },
);

export const ReservationPage = withMeta(
  z.strictObject({
    reservations: z.array(Reservation),
    nextCursor: withMeta(z.optional(z.string()), {
      description: "Send as `cursor` for the next page; absent on the last.",
    }),
  }),
  { id: "ReservationPage" },
);

export const WaitAnswer = withMeta(
  z.strictObject({
    reservationId: z.string(),
    waiting: z.boolean(),
    resultSent: withMeta(z.boolean(), {
      description: "The outcome was known already and was sent to the task.",
    }),
  }),
  { id: "WaitAnswer" },
);

const Snapshot = named(BalanceSnapshot, "BalanceSnapshot");

const AccountSummaryShape = {
  accountId: z.string(),
  unit: z.nullable(Unit),
  remaining: z.nullable(z.number()),
  reserved: Amount,
  reserveFloor: Amount,
  available: nullable(z.number(), "remaining − reserved − reserveFloor; null while the balance is unknown."),
  activeReservations: z.number().check(z.int()),
  alertLevel: z.enum(["unknown", "ok", "warning", "critical", "exhausted"]),
  monitorDegraded: z.boolean(),
  consecutiveFailures: z.number().check(z.int()),
  lastFailure: z.nullable(
    z.strictObject({ at: IsoTime, code: z.string(), message: z.string(), until: z.optional(IsoTime) }),
  ),
  retryNotBefore: nullable(
    z.strictObject({ until: IsoTime, reason: z.string() }),
    "HeyGen asked not to be called before `until` (a long Retry-After); null when it did not.",
  ),
  balanceObservedAt: z.nullable(IsoTime),
  balanceAgeSeconds: z.nullable(z.number()),
  lastPollAt: z.nullable(IsoTime),
  paused: nullable(
    z.strictObject({ reason: z.string(), at: IsoTime, by: z.string() }),
    "The kill switch: who paused the account, when and why (POST /pause); null while it is not paused.",
  ),
  thresholds: z.strictObject({ warning: z.number(), critical: z.number() }),
  latest: z.nullable(Snapshot),
};

export const AccountSummary = withMeta(z.strictObject(AccountSummaryShape), { id: "AccountSummary" });

export const AccountList = withMeta(z.strictObject({ accounts: z.array(AccountSummary) }), {
  id: "AccountList",
});

export const Forecast = withMeta(
  z.strictObject({
    burnRatePerHour: nullable(
      z.number(),
      "Consumption per hour in the balance's unit; null with too little data.",
    ),
    hoursToExhaustion: z.nullable(z.number()),
    exhaustsAt: z.nullable(IsoTime),
    cappedByResetAt: z.optional(IsoTime),
    cappedByAutoReloadAt: withMeta(z.optional(IsoTime), {
      description:
        "Auto-reload is on and due before exhaustion: when, at the burn rate (no exhaustion forecast).",
    }),
    samples: z.number().check(z.int()),
    spanMinutes: withMeta(z.number(), {
      description: "Minutes between the oldest and newest of those snapshots.",
    }),
    minSpanMinutes: withMeta(z.number(), {
      description: "Minutes the snapshots must span before a burn rate is computed.",
    }),
  }),
  { id: "Forecast" },
);

export const AccountDetail = withMeta(
  z.strictObject({
    ...AccountSummaryShape,
    oldestOpenHoldAgeSeconds: nullable(z.number(), "Age of the oldest hold still held; null when none."),
    forecast: z.nullable(Forecast),
  }),
  { id: "AccountDetail" },
);

export const RefreshAnswer = withMeta(
  z.strictObject({
    ...AccountSummaryShape,
    refreshed: z.boolean(),
    reason: withMeta(z.optional(z.enum(["minRefreshIntervalSeconds", "heygen-error", "retryNotBefore"])), {
      description:
        "Why not refreshed: read recently (or a reading in progress), HeyGen failed, or asked to wait.",
    }),
    refreshError: z.optional(z.strictObject({ code: z.string(), message: z.string() })),
  }),
  { id: "RefreshAnswer" },
);

export const History = withMeta(z.strictObject({ accountId: z.string(), snapshots: z.array(Snapshot) }), {
  id: "History",
});

const AlertLevelOr = (...more: string[]) => z.enum([...ALERT_LEVELS, ...more]);

export const Alert = withMeta(
  z.strictObject({
    accountId: z.string(),
    alertType: z.enum([
      "low_balance",
      "recovered",
      "forecast",
      "monitor_degraded",
      "monitor_recovered",
      "forced_commit",
      "paused",
      "resumed",
      "budget_usage",
      "budget_recovered",
      "budget_forecast",
      "unexplained_spend",
      "estimate_drift",
      "auto_reload_missed",
      "digest",
    ]),
    severity: z.enum(SEVERITIES),
    level: AlertLevelOr("forecast", "monitor_degraded"),
    previousLevel: AlertLevelOr("unknown", "forecast", "monitor_degraded"),
    subject: z.string(),
    createdAt: IsoTime,
    remaining: z.optional(z.number()),
    available: z.optional(z.number()),
    unit: z.optional(Unit),
    hoursToExhaustion: z.optional(z.nullable(z.number())),
    rateLimitedUntil: z.optional(IsoTime),
    id: withMeta(z.optional(z.string()), {
      description:
        "Stable id: accountId/createdAt/alertType[/budget id]; the same on every outlet and retry.",
    }),
    status: withMeta(z.optional(z.enum(["sent", "failed", "pending"])), {
      description:
        "sent: every outlet accepted it; pending: SNS did, `owed` not yet (retried); failed: none.",
    }),
    owed: z.optional(z.array(z.enum(ALERT_OUTLETS))),
    error: z.optional(z.string()),
    test: z.optional(z.boolean()),
    forced: withMeta(z.optional(z.extend(ForcedCommit, { reservationId: z.string() })), {
      description: "A forced_commit alert: the hold, who forced the commit and the amounts.",
    }),
    pause: withMeta(
      z.optional(z.strictObject({ by: z.string(), at: IsoTime, reason: z.optional(z.string()) })),
      {
        description: "A paused or resumed alert: who turned the kill switch on or off, when, and why.",
      },
    ),
    budget: withMeta(
      z.optional(
        z.strictObject({
          id: z.string(),
          period: z.optional(z.string()),
          periodStart: z.optional(IsoTime),
          periodEnd: z.optional(z.nullable(IsoTime)),
          limit: z.optional(z.number()),
          used: z.optional(z.number()),
          percentUsed: z.optional(z.number()),
          mode: z.optional(z.enum(["hard", "soft"])),
          hoursToExhaustion: z.optional(z.number()),
        }),
      ),
      {
        description:
          "An alert of one budget (budget_*, or paused/resumed of its kill switch): which, and what it used this period.",
      },
    ),
    unexplained: withMeta(z.optional(UnexplainedFacts), {
      description:
        "An unexplained_spend alert: the last 24 h's reconciliation and the threshold it exceeded.",
    }),
    drift: withMeta(z.optional(DriftFacts), {
      description:
        "An estimate_drift alert: the card, its accuracy (actual / estimated) and the rule it broke.",
    }),
    digest: withMeta(z.optional(DigestFacts), {
      description: "A digest (config `digest`): the period's spend, top labels, budgets and largest jobs.",
    }),
  }),
  { id: "Alert" },
);

export const AlertLog = withMeta(z.strictObject({ accountId: z.string(), alerts: z.array(Alert) }), {
  id: "AlertLog",
});

export const TestAlertAnswer = withMeta(z.strictObject({ alert: Alert }), { id: "TestAlertAnswer" });

const WebhookLogShape = {
  accountId: z.string(),
  receivedAt: IsoTime,
  eventType: z.string(),
  videoId: z.optional(z.string()),
  outputId: withMeta(z.optional(z.string()), {
    description: "The output the event is about when it is not the video (a translation's id).",
  }),
  eventId: z.optional(z.string()),
  callbackId: z.optional(z.string()),
  action: z.enum(["committed", "released", "replayed", "conflict", "unknown-reservation", "ignored"]),
  reservationId: z.optional(z.string()),
  reason: z.optional(z.string()),
  actualAmount: z.optional(z.number()),
  commitBasis: z.optional(z.enum(["event-duration", "video-duration", "held-amount"])),
  signatureScheme: withMeta(z.optional(z.enum(SIGNATURE_SCHEMES)), {
    description:
      "How the delivery was verified: `signature` (Signature = HMAC of the body), `heygen-signature` " +
      "(Heygen-Signature = HMAC of the body, Heygen-Timestamp within 5 minutes; HeyGen v3) or " +
      "`heygen-signature-timestamped` (HMAC of `timestamp.body`). Absent on entries logged before it was recorded.",
  }),
};

export const WebhookEvents = withMeta(
  z.strictObject({
    accountId: z.string(),
    events: z.array(withMeta(z.strictObject(WebhookLogShape), { id: "WebhookLogEntry" })),
  }),
  { id: "WebhookEvents" },
);

export const WebhookReceipt = withMeta(
  z.strictObject({
    ...WebhookLogShape,
    accountId: withMeta(z.optional(z.string()), {
      description: "Absent when the callback_id names no account.",
    }),
    received: z.literal(true),
    duplicate: withMeta(z.boolean(), {
      description: "HeyGen repeated a delivery already handled; nothing was done.",
    }),
  }),
  { id: "WebhookReceipt" },
);

export const WebhookStatus = withMeta(
  z.strictObject({
    secretSet: withMeta(z.boolean(), {
      description:
        "The webhook secret holds a secret (not the deploy's NOT_SET placeholder): deliveries can verify.",
    }),
    secrets: withMeta(z.number().check(z.int()), {
      description: "How many secrets verify deliveries: 2 while one is being rotated.",
    }),
    readError: withMeta(z.optional(z.string()), {
      description: "Why the secret could not be read (never the secret itself).",
    }),
  }),
  {
    id: "WebhookStatus",
    description: "Whether HeyGen's deliveries can be verified; the secret itself is never answered.",
  },
);

export const ProblemExplanation = withMeta(
  z.strictObject({
    type: z.string(),
    status: z.number().check(z.int()),
    title: z.string(),
    explanation: z.string(),
  }),
  { id: "ProblemExplanation" },
);

/** The OpenAPI document itself (its shape is OpenAPI 3.1's, not restated here). */
export const OpenApiDocument = withMeta(
  z.looseObject({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }) }),
  { id: "OpenApiDocument" },
);

export const FieldError = z.strictObject({
  pointer: withMeta(z.string(), { description: "JSON pointer (RFC 6901) to the invalid field." }),
  detail: z.string(),
});

/** RFC 9457 problem+json; problem types add their own members (`required`, `reservationStatus`, ...). */
export const Problem = withMeta(
  z.looseObject({
    type: withMeta(z.url(), { description: "This API's GET /problems/{type}: what the problem means." }),
    title: z.string(),
    status: z.number().check(z.int()),
    detail: z.string(),
    instance: withMeta(z.string(), { description: "The request id (API Gateway's), as in the logs." }),
    errors: z.optional(z.array(FieldError)),
  }),
  { id: "Problem" },
);
