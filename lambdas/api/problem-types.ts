/**
 * Every problem type the API answers (RFC 9457), declared once: its status, its title and what it means.
 * A problem's `type` is the URI of `GET /problems/{type}` on the API that answered it, which serves the
 * explanation below; the route table lists which types each route can answer.
 */
export const PROBLEM_TYPES = {
  "validation-error": {
    status: 400,
    title: "Invalid request",
    explanation:
      "A field of the body, query, path or headers is invalid; `errors[]` has a JSON pointer and a reason for each. Fix the request; do not retry it as is.",
  },
  "malformed-json": {
    status: 400,
    title: "Malformed JSON",
    explanation: "The body is not a JSON document. Send valid JSON with Content-Type: application/json.",
  },
  unauthorized: {
    status: 401,
    title: "Unauthorized",
    explanation:
      "A HeyGen webhook delivery whose signature does not verify (Signature or Heygen-Signature, with Heygen-Timestamp within 5 minutes for the latter; docs/webhooks.md). The answer says nothing more, on purpose.",
  },
  "unsigned-delivery": {
    status: 401,
    title: "Unsigned webhook delivery",
    explanation:
      "A webhook delivery with no signature at all (neither Signature nor Heygen-Signature). HeyGen does not sign what it posts to a job's own callback_url, so the guard cannot trust it and settles nothing from it. Fix: register the guard's URL as a HeyGen webhook endpoint (POST /v3/webhooks/endpoints), store the endpoint's secret (docs/deploy.md), and stop pointing callback_url at the guard; keep callback_id set to the reservation id.",
  },
  "not-found": {
    status: 404,
    title: "Not found",
    explanation:
      "No such route, account or reservation; `errors[]` points at the unknown id when one was named. Accounts are those of the configuration; reservation ids start with rsv_<account>_.",
  },
  "method-not-allowed": {
    status: 405,
    title: "Method not allowed",
    explanation: "The path exists but not with this method; GET /openapi.json lists the routes.",
  },
  "balance-unknown": {
    status: 409,
    title: "Balance unknown",
    explanation:
      "No usable balance is recorded for the account (never read, or stale and HeyGen could not be reached), so nothing can be held against it. POST /v1/accounts/{id}/refresh, then retry.",
  },
  "insufficient-balance": {
    status: 409,
    title: "Insufficient balance",
    explanation:
      "The hold (or the raise) does not fit in what the account can still hand out: `required`, `available` (remaining − reserved − reserveFloor) and `shortfall`, in `unit`. Top up or wait for holds to end.",
  },
  paused: {
    status: 409,
    title: "Paused",
    explanation:
      "The kill switch of the account (POST /v1/accounts/{id}/pause) or of the budget named (`budget`; POST /v1/accounts/{id}/budgets/{budgetId}/pause) is on: no new hold until it is resumed (…/resume). `reason` says why. Commits, releases and extends of existing holds still work.",
  },
  forbidden: {
    status: 403,
    title: "Forbidden",
    explanation:
      "The caller's IAM principal is outside the account's `access` rule (configuration) or the budget's `principals`, so it may neither read nor spend it. `account` (and `budget`) name what was refused; `principal` is who asked. The denial is in the account's audit log.",
  },
  "budget-exhausted": {
    status: 409,
    title: "Budget exhausted",
    explanation:
      "The hold does not fit in what the budget has left this period: `budget`, `period`, `periodEnd` (when it starts afresh), `required`, `available` and `shortfall`. The account may still have credit; the budget's limit is the team's. Wait for the next period, release holds, or raise the limit (PUT the budget).",
  },
  "budget-max-per-job": {
    status: 409,
    title: "Over the budget's cap per job",
    explanation:
      "The hold is larger than the budget's `maxPerJob`: `budget`, `maxPerJob` and `amount`. Split the job or ask the budget's owner to raise the cap.",
  },
  "no-free-slot": {
    status: 409,
    title: "No free render slot",
    explanation:
      "Every render slot is taken: the account's `maxConcurrentJobs` (configuration) or the budget's `maxConcurrentHolds`, counted as open holds. `scope` (account or budget), `limit` and `openHolds` say which. A slot frees when a hold is committed, released or expires; retry after `Retry-After` seconds.",
  },
  "budget-period-ended": {
    status: 409,
    title: "Budget period ended",
    explanation:
      "The hold was reserved through a budget in a period that has ended, so it cannot be raised: the raise would count in no period. Commit or release it, and reserve again for more.",
  },
  "budget-in-use": {
    status: 409,
    title: "Budget in use",
    explanation:
      "The budget still has holds open through it (`openHolds`), whose commits and releases move its counters. Commit or release them, or wait for them to expire, then delete it.",
  },
  "reservation-conflict": {
    status: 409,
    title: "Reservation conflict",
    explanation:
      "The reservation's state does not allow the request (committed, released or expired; or a repeated final commit names another amount). `reservationStatus`, `amount` and `committedAmount` say how it is recorded.",
  },
  "commit-exceeds-available": {
    status: 409,
    title: "Commit exceeds available",
    explanation:
      "The commit asks more than the hold plus what the account has available: `held`, `available`, `asked` and `allowed` (the most it may record, held + max(0, available)), in `unit`. Nothing was changed. Check the amount (a typo, or a total sent as actualAmount?); if HeyGen really charged it, send the commit again with `force: true`, which records it, alerts (forced_commit) and keeps who forced it.",
  },
  "idempotency-key-reused": {
    status: 409,
    title: "Idempotency-Key reused",
    explanation:
      "This Idempotency-Key was used within 24 h with another request. The same key with the same request answers the first answer; a new request needs a new key.",
  },
  "payload-too-large": {
    status: 413,
    title: "Payload too large",
    explanation: "The body is larger than 64 KiB.",
  },
  "unsupported-media-type": {
    status: 415,
    title: "Unsupported media type",
    explanation: "A body was sent without Content-Type: application/json.",
  },
  unprocessable: {
    status: 422,
    title: "Cannot be processed",
    explanation:
      "The request is well formed but cannot be priced: an unknown rate card, a card in another unit than the account's balance, or a job the card does not price (engine, resolution, ...). `errors[]` points at the field.",
  },
  "internal-error": {
    status: 500,
    title: "Internal error",
    explanation: "An unexpected error; it was logged with the request id given as `instance`. Report it.",
  },
  "dependency-unavailable": {
    status: 503,
    title: "Service unavailable",
    explanation:
      "A dependency (the balance store, SNS, Step Functions) is down, throttling or busy; nothing was changed that a retry would repeat. Retry after `Retry-After` seconds, with the same Idempotency-Key.",
  },
  "store-throttled": {
    status: 503,
    title: "Store throttled",
    explanation:
      "DynamoDB throttled the write (the account's state item is a hot key, or the table is still scaling) and kept throttling it through the guard's own retries; nothing was written, and this is not an answer about the balance. Retry after `Retry-After` seconds, with the same Idempotency-Key. If it persists, see docs/reservations.md \"Throttling: a hot account\".",
  },
} as const satisfies Record<string, { status: number; title: string; explanation: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;
