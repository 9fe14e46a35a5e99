import { MAX_COUNT, MAX_DURATION_SECONDS, MAX_JOBS } from "#core/job-spec";
import { MAX_LIST_LIMIT, MAX_RESERVATION_PAGE } from "#service/list-limit";

/**
 * The descriptions of the request schemas and of the core's schemas in the OpenAPI document, keyed as the
 * schemas name them (`described(schema, key)`, lambdas/core/zod-meta.ts). Build and test time only, like
 * answer-schemas.ts and route-docs.ts: validation never reads a description, so the texts stay out of the
 * Lambda bundles (docs/bundles-and-tracing.md). openapi.ts applies them; a missing key throws there.
 */
export const DESCRIPTIONS: Readonly<Record<string, string>> = {
  AccountId: "The account; optional when exactly one account is configured.",
  BudgetRef:
    "A budget of the account to spend through (docs/budgets.md): granted only if both the account and the budget cover it.",
  HeldAmount: "Amount to hold, in the account's balance unit.",
  CheckRequest: "A job spec (or { jobs }) plus optional accountId, budget and rateCard.",
  AmountCheckRequest: "May I spend `amount` now? (in the account's balance unit).",
  TtlSeconds: "How long the hold lasts before it expires (≤ reservations.maxTtlSeconds).",
  AmountReservationRequest: "Hold an explicit amount.",
  JobReservationRequest: "Hold the estimate of a job spec (or { jobs }).",
  CommitRequest: "Commits spend against a hold, in parts or finally.",
  "CommitRequest.actualAmount":
    "What this commit records: a part (final: false), or the last part (final: true; after partial " +
    "commits, only what they did not record). Default for a final commit: what is still held. Not with totalAmount.",
  "CommitRequest.totalAmount":
    "The job's whole cost: the guard records totalAmount − what is already committed (400 when below " +
    "it). Not with actualAmount.",
  "CommitRequest.final": "false: record this part and keep the rest held; true (default): end the hold.",
  "CommitRequest.force":
    "true: record the commit even past the hold plus what is available (HeyGen really charged it): it " +
    "alerts (forced_commit) and the reservation keeps who forced it. Default: such a commit answers 409 " +
    "commit-exceeds-available and changes nothing.",
  ReleaseRequest: "Returns a hold; the body, and its reason, may be omitted.",
  "ReleaseRequest.reason":
    "Why the hold is released, recorded on it. `insufficient_credit`: HeyGen refused the job for lack of " +
    "credit (e.g. 402 at create); the guard also reads the balance at once, as for a credit-failure webhook.",
  ExtendRequest: "Raises a held reservation's amount and/or moves its expiry.",
  "ExtendRequest.amount": "The new total to hold, at least the current amount.",
  "ExtendRequest.ttlSeconds": "The hold now expires this long from now.",
  WaitRequest: "Registers a Step Functions task that waits for this hold's video.",
  "WaitRequest.taskToken": "The waiting task's token: `$$.Task.Token` in a `.waitForTaskToken` state.",
  "HistoryQuery.since": "Oldest observation time (ISO 8601); not in the future, not after `until`.",
  "HistoryQuery.until": "Newest observation time (ISO 8601); may be in the future (up to now, then).",
  "ReportRangeQuery.from":
    "Start of the range (ISO 8601), included; default 30 days before `to`. At most 92 days before `to`.",
  "ReportRangeQuery.to": "End of the range (ISO 8601), excluded; default now.",
  "SpendQuery.groupBy":
    "`label:<key>`, `budget`, `principal`, `jobType`, or a UTC `day`, `week` (ISO, Monday first) or `month`; default `day`.",
  "HistoryQuery.limit": `At most this many snapshots (1–${MAX_LIST_LIMIT}, default 100).`,
  "AlertsQuery.limit": `At most this many alerts (1–${MAX_LIST_LIMIT}, default 50).`,
  "EventsQuery.limit": `At most this many webhook deliveries (1–${MAX_LIST_LIMIT}, default 50).`,
  "ReservationsQuery.status": "Only reservations in this state.",
  "ReservationsQuery.limit": `At most this many (1–${MAX_RESERVATION_PAGE}, default 20).`,
  "ReservationsQuery.cursor": "`nextCursor` of the page before.",
  RefreshRequest: "Reads the balance now (no fields); the body may be omitted.",
  TestAlertRequest: "Sends a marked test alert; the body may be omitted.",
  "TestAlertRequest.severity":
    "The alert's severity attribute (default critical, so that SMS subscribers, who filter on it, receive it too).",
  BudgetId: "The budget's id, unique within the account.",
  AlertPercents:
    "Percentages of the period's limit used that alert warning and critical (default 80 and 95; 100 % is always exhausted).",
  "AlertPercents.warning": "Percent of the limit used that alerts a warning.",
  "AlertPercents.critical": "Percent of the limit used that alerts critical.",
  BudgetRequest: "A budget carved from the account (docs/budgets.md).",
  "BudgetRequest.limit": "What holds and commits may use per period, in the account's balance unit.",
  "BudgetRequest.period":
    "hour, day, week (Monday first) or month of the calendar in timeZone, or total (no reset).",
  "BudgetRequest.timeZone": "The IANA time zone whose calendar the periods follow (default UTC).",
  "BudgetRequest.mode": "hard (default): a reserve past the limit is refused; soft: granted, and alerted.",
  "BudgetRequest.maxPerJob": "The largest single hold the budget grants.",
  "BudgetRequest.maxConcurrentHolds": "Render slots: how many holds may be open through the budget at once.",
  "BudgetRequest.principals":
    "IAM principals (ARN patterns) allowed to read and spend through the budget; default anyone allowed by IAM.",
  "BudgetRequest.labels": "Labels every reservation through the budget keeps, under the request's own.",
  Labels:
    "Labels for spend reports: {key: value}, at most 10; keys [a-z][a-z0-9_.-]{0,39}, values ≤ 100 characters.",
  PauseRequest: "Pause the account: its kill switch.",
  "PauseRequest.reason": "Why: shown in every check that denies and every reserve refused while paused.",
  ResumeRequest: "Nothing: a resume takes no fields (any field is refused, as a mistyped one would be).",
  "AuditQuery.limit": `At most this many entries (1–${MAX_LIST_LIMIT}, default 50).`,
  "AuditQuery.cursor": "The nextCursor of the page before, unchanged.",
  "AccountPath.id": "The account's id (configuration `accounts[].id`).",
  "BudgetPath.id": "The account's id (configuration `accounts[].id`).",
  "ReservationPath.id": "The reservation's id, as answered by POST /v1/reservations (`rsv_<account>_…`).",
  "IdempotencyHeaders.Idempotency-Key":
    "Remembered 24 h: the same key with the same request gets the same answer (200, Idempotent-Replayed: " +
    "true); with another request, 409 idempotency-key-reused.",
  "problemType.path.type": "A problem type, e.g. validation-error.",
  "heygenWebhook.headers.Signature":
    "Hex HMAC-SHA256 of the raw body with the endpoint secret (any case, optional `sha256=`).",
  "heygenWebhook.headers.Heygen-Signature":
    'HeyGen v3: hex HMAC-SHA256 of the raw body (or, the older form, of `Heygen-Timestamp + "." + ' +
    "body`); needs Heygen-Timestamp.",
  "heygenWebhook.headers.Heygen-Timestamp":
    "Unix seconds; Heygen-Signature is accepted within 5 minutes of it.",
  "heygenWebhook.headers.Heygen-Event-Id":
    "The delivery's id (HeyGen repeats it on a retry): a repeat is answered duplicate: true.",
  "EstimateLine.job": "Index of the job in the request (0 for a single job).",
  "EstimateLine.engine": "The engine priced; null when the card ignores engines here.",
  "EstimateLine.item": "The rate card item that priced the job.",
  "EstimateLine.billableSeconds":
    "Seconds billed per video after increments and minimums; null when priced per video.",
  "EstimateLine.rate": "Rate at this resolution, in rateUnit.",
  "EstimateLine.rateUnit": "unit/second, unit/minute, unit/video or unit/session.",
  "EstimateLine.cost": "Cost of all `count` videos, exact (not rounded to cents).",
  "Estimate.rateCard": "Id of the rate card used.",
  "Estimate.total": "Sum of the lines; usd rounded up to cents, credits as the card rounds.",
  "Estimate.totalExact":
    'The unrounded total, exactly: a decimal ("3.006"), or a fraction ("31/300") when it has none.',
  DecimalText: "A non-negative decimal written as a string, so that it stays exact.",
  "Billing.0": "Each video's duration rounded up to whole increments, at least minimumSeconds.",
  "Billing.1": "Each video's cost rounded up to a whole unit (Math.ceil).",
  JobType: "What is generated.",
  Engine: "Avatar engine, as the rate card names it.",
  Resolution: "Output resolution tier.",
  TranslationMode:
    "Translation or lipsync quality (lipsync: speed_lipsync or precision); the rate card says which modes it prices.",
  DurationSeconds: `Video length in seconds (> 0, ≤ ${MAX_DURATION_SECONDS}).`,
  Script: "The spoken text (SSML <break time=.../> pauses count); its length sets the duration.",
  VoiceSpeed: "Voice speed for script-based durations (0.5–2, default 1).",
  Scene: "One scene of a video: its durationSeconds or its script.",
  Dimension: "Output size in pixels; the larger side picks the tier: ≤1280 720p, ≤1920 1080p, else 4k.",
  "jobShape.engine":
    "Avatar engine (default avatar_iv); ignored for types the card prices whatever the engine.",
  "jobShape.scenes": "Scenes of one video; their durations add up.",
  "jobShape.resolution": "Output resolution tier (default 720p).",
  "jobShape.test": "HeyGen test mode (free on some cards).",
  "jobShape.count": `How many such videos or sessions (1–${MAX_COUNT}).`,
  JobSpec:
    "One job: type, engine, duration as exactly one of durationSeconds | script | scenes " +
    "(optional for streaming and cinematic_avatar when the card prices per session or video), " +
    "resolution or dimension, translationMode, test, count.",
  RateCardId: "Rate card id; default: the account's card, else the default for its balance unit.",
  "jobRequest.jobs": `The jobs (1–${MAX_JOBS}).`,
  EstimateRequest: "One job spec, or { jobs: [...] }, plus an optional rateCard id.",
};
