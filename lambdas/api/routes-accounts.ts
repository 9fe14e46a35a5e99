import { named } from "#core/zod-meta";
import { AccountPath, answer, BODY, json, type RouteSpec } from "./route-spec.ts";
import {
  AlertsQuery,
  AuditQuery,
  EventsQuery,
  HistoryQuery,
  PauseRequest,
  RefreshRequest,
  ResumeRequest,
  TestAlertRequest,
} from "./schemas.ts";

/** The account routes: summaries, history, alerts, the webhook log, refresh and test alerts (docs/api.md). */
/** The kill switch's bodies, shared by the account's and the budgets' pause and resume (one schema each). */
export const PAUSE_BODY = json(named(PauseRequest, "PauseRequest"));
export const RESUME_BODY = json(named(ResumeRequest, "ResumeRequest"), false);

export const ACCOUNT_ROUTES = {
  listAccounts: {
    method: "GET",
    path: "/v1/accounts",
    summary: "Every account",
    auth: "iam",
    servedBy: "api",
    answers: { 200: { description: "Every configured account's summary", schema: answer("AccountList") } },
    problems: [],
  },
  getAccount: {
    method: "GET",
    path: "/v1/accounts/{id}",
    summary:
      "One account: latest balance, reserved, available, activeReservations, oldestOpenHoldAgeSeconds, alert level, forecast",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath },
    answers: { 200: { description: "The account", schema: answer("AccountDetail") } },
    problems: ["not-found", "forbidden"],
  },
  history: {
    method: "GET",
    path: "/v1/accounts/{id}/history",
    summary: "Balance snapshots, newest first",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, query: HistoryQuery },
    answers: { 200: { description: "Snapshots", schema: answer("History") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
  alerts: {
    method: "GET",
    path: "/v1/accounts/{id}/alerts",
    summary: "The alert log, newest first",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, query: AlertsQuery },
    answers: { 200: { description: "Alerts", schema: answer("AlertLog") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
  events: {
    method: "GET",
    path: "/v1/accounts/{id}/events",
    summary: "The webhook log: HeyGen deliveries and what each did, newest first",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, query: EventsQuery },
    answers: { 200: { description: "Webhook deliveries", schema: answer("WebhookEvents") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
  refresh: {
    method: "POST",
    path: "/v1/accounts/{id}/refresh",
    summary:
      "Read the balance from HeyGen now, as a scheduled poll does (records, moves the level, alerts, counts failures)",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, body: json(named(RefreshRequest, "RefreshRequest"), false) },
    answers: {
      200: {
        description:
          "The account, with refreshed: true|false and, when false, reason: minRefreshIntervalSeconds (read " +
          "recently or a reading in progress), retryNotBefore (HeyGen asked to wait) or heygen-error (with refreshError)",
        schema: answer("RefreshAnswer"),
      },
    },
    problems: [...BODY, "not-found", "forbidden"],
  },
  testAlert: {
    method: "POST",
    path: "/v1/accounts/{id}/test-alert",
    summary: "Send a marked test alert through SNS (email, SMS, chat); changes no alert level",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, body: json(named(TestAlertRequest, "TestAlertRequest"), false) },
    answers: { 200: { description: "The test alert as sent and logged", schema: answer("TestAlertAnswer") } },
    problems: [...BODY, "not-found", "forbidden", "balance-unknown"],
  },
  pause: {
    method: "POST",
    path: "/v1/accounts/{id}/pause",
    summary: "The kill switch: checks deny and reserves are refused (409 paused) until resumed",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, body: PAUSE_BODY },
    answers: { 200: { description: "Paused: who, when and why", schema: answer("PauseAnswer") } },
    problems: [...BODY, "not-found", "forbidden"],
  },
  resume: {
    method: "POST",
    path: "/v1/accounts/{id}/resume",
    summary: "Turn the kill switch off",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, body: RESUME_BODY },
    answers: { 200: { description: "Not paused", schema: answer("PauseAnswer") } },
    problems: [...BODY, "not-found", "forbidden"],
  },
  audit: {
    method: "GET",
    path: "/v1/accounts/{id}/audit",
    summary: "Who changed what: every budget change, pause and resume, newest first, a page at a time",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, query: AuditQuery },
    answers: { 200: { description: "One page of the audit log", schema: answer("AuditLog") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
} as const satisfies Record<string, RouteSpec>;
