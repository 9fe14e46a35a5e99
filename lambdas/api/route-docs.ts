import type { ROUTES } from "./route-table.ts";

/**
 * The words the OpenAPI document gives each route: its summary and, per answer status, the answer's
 * description. Build and test time only, like answer-schemas.ts: the router never reads them, so they stay out
 * of the Lambda bundles (docs/bundles-and-tracing.md). Keyed by the route table's names; TypeScript requires
 * an entry for every route, and openapi.ts throws for an answer status with no description.
 */
export interface RouteDoc {
  summary: string;
  answers: Partial<Record<200 | 201 | 204, string>>;
}

export const ROUTE_DOCS: Record<keyof typeof ROUTES, RouteDoc> = {
  health: {
    summary: "Liveness and version",
    answers: { 200: "Status and version" },
  },
  openApi: {
    summary: "This document",
    answers: { 200: "The OpenAPI 3.1 document" },
  },
  problemType: {
    summary: "What a problem type means: the `type` URI of every problem answer points here",
    answers: { 200: "The problem type's status, title and explanation" },
  },
  rateCards: {
    summary: "The rate cards",
    answers: { 200: "Every rate card" },
  },
  rateCardAccuracy: {
    summary: "How far each rate card's estimates are from the duration-priced commits (actual / estimated)",
    answers: { 200: "Each card's accuracy per job type and engine, over every account the caller may use" },
  },
  reconciliation: {
    summary: "HeyGen's observed consumption against what the guard committed over the same window",
    answers: { 200: "Observed, committed, unexplained and the window used" },
  },
  estimate: {
    summary: "Estimate the cost of one job or a list of jobs",
    answers: { 200: "The estimate" },
  },
  check: {
    summary: "May this job be started now? A no is a 200 with allowed: false",
    answers: { 200: "The check answer" },
  },
  reserve: {
    summary: "Hold credit for a job (atomic; never oversubscribes)",
    answers: { 200: "The hold this Idempotency-Key made, as it is now", 201: "The new hold" },
  },
  listReservations: {
    summary:
      "An account's reservations, newest first, a page at a time; label.<key>=<value> filters by label",
    answers: { 200: "One page" },
  },
  getReservation: {
    summary: "A reservation",
    answers: { 200: "The reservation" },
  },
  commit: {
    summary: "Commit spend against a hold: a part (final: false) or the rest, ending it",
    answers: { 200: "The reservation (Idempotent-Replayed: true for a repeated request)" },
  },
  release: {
    summary: "Return what a hold still holds",
    answers: { 200: "The released reservation (Idempotent-Replayed: true when repeated)" },
  },
  extend: {
    summary: "Raise a held reservation's amount (taken from available) and/or move its expiry",
    answers: { 200: "The extended reservation" },
  },
  wait: {
    summary:
      "Register a Step Functions task (.waitForTaskToken) to be sent the hold's video outcome: success, or failure VideoFailed / InsufficientCredits, when HeyGen's webhook settles the hold",
    answers: { 200: "Registered, or the known outcome sent (resultSent)" },
  },
  listAccounts: {
    summary: "Every account",
    answers: { 200: "Every configured account's summary" },
  },
  getAccount: {
    summary:
      "One account: latest balance, reserved, available, activeReservations, oldestOpenHoldAgeSeconds, alert level, forecast",
    answers: { 200: "The account" },
  },
  history: {
    summary: "Balance snapshots, newest first",
    answers: { 200: "Snapshots" },
  },
  alerts: {
    summary: "The alert log, newest first",
    answers: { 200: "Alerts" },
  },
  events: {
    summary: "The webhook log: HeyGen deliveries and what each did, newest first",
    answers: { 200: "Webhook deliveries" },
  },
  refresh: {
    summary:
      "Read the balance from HeyGen now, as a scheduled poll does (records, moves the level, alerts, counts failures)",
    answers: {
      200: "The account, with refreshed: true|false and, when false, reason: minRefreshIntervalSeconds (read recently or a reading in progress), retryNotBefore (HeyGen asked to wait) or heygen-error (with refreshError)",
    },
  },
  testAlert: {
    summary: "Send a marked test alert through SNS (email, SMS, chat); changes no alert level",
    answers: { 200: "The test alert as sent and logged" },
  },
  pause: {
    summary: "The kill switch: checks deny and reserves are refused (409 paused) until resumed",
    answers: { 200: "Paused: who, when and why" },
  },
  resume: {
    summary: "Turn the kill switch off",
    answers: { 200: "Not paused" },
  },
  audit: {
    summary: "Who changed what: every budget change, pause and resume, newest first, a page at a time",
    answers: { 200: "One page of the audit log" },
  },
  listBudgets: {
    summary: "The account's budgets, each with what it has used this period",
    answers: { 200: "Every budget of the account, by id" },
  },
  putBudget: {
    summary: "Create a budget, or change its settings (what it has used this period is kept)",
    answers: { 200: "Changed, or already so", 201: "Created" },
  },
  getBudget: {
    summary: "A budget and what it has used this period",
    answers: { 200: "The budget" },
  },
  deleteBudget: {
    summary: "Delete a budget with no open hold",
    answers: { 204: "Deleted" },
  },
  pauseBudget: {
    summary: "The budget's kill switch: checks and reserves through it are refused (paused) until resumed",
    answers: { 200: "The budget, paused: who, when and why" },
  },
  resumeBudget: {
    summary: "Turn the budget's kill switch off",
    answers: { 200: "The budget, not paused" },
  },
  heygenWebhook: {
    summary:
      "HeyGen's webhook deliveries (no IAM: HeyGen's signature). A success commits the hold named by callback_id at the reported duration, a failure releases it; see docs/webhooks.md",
    answers: { 200: "Received, whatever it meant (an ignored type, an unknown callback_id, a repeat)" },
  },
  webhookStatus: {
    summary:
      "Whether the webhook secret is set (never the secret): what `quota-guard doctor` checks after a deploy",
    answers: { 200: "The webhook secret's state" },
  },
  heygenWebhookProbe: {
    summary:
      "HeyGen's validation probe of a new webhook endpoint (OPTIONS, 1 s timeout; field case G5): 204 with Allow, no IAM, no signature, nothing read",
    answers: { 204: "No content; `Allow: POST, OPTIONS`" },
  },
  spend: {
    summary:
      "Committed spend in a time range, summed by label, budget, principal, job type or UTC day, week or month; CSV with `Accept: text/csv`; see docs/spend.md",
    answers: { 200: "The report: total, count and groups (JSON, or CSV with a header row)" },
  },
};
