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
    auth: "iam",
    servedBy: "api",
    answers: { 200: { schema: answer("AccountList") } },
    problems: [],
  },
  getAccount: {
    method: "GET",
    path: "/v1/accounts/{id}",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath },
    answers: { 200: { schema: answer("AccountDetail") } },
    problems: ["not-found", "forbidden"],
  },
  history: {
    method: "GET",
    path: "/v1/accounts/{id}/history",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, query: HistoryQuery },
    answers: { 200: { schema: answer("History") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
  alerts: {
    method: "GET",
    path: "/v1/accounts/{id}/alerts",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, query: AlertsQuery },
    answers: { 200: { schema: answer("AlertLog") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
  events: {
    method: "GET",
    path: "/v1/accounts/{id}/events",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, query: EventsQuery },
    answers: { 200: { schema: answer("WebhookEvents") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
  refresh: {
    method: "POST",
    path: "/v1/accounts/{id}/refresh",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, body: json(named(RefreshRequest, "RefreshRequest"), false) },
    answers: {
      200: {
        schema: answer("RefreshAnswer"),
      },
    },
    problems: [...BODY, "not-found", "forbidden"],
  },
  testAlert: {
    method: "POST",
    path: "/v1/accounts/{id}/test-alert",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, body: json(named(TestAlertRequest, "TestAlertRequest"), false) },
    answers: { 200: { schema: answer("TestAlertAnswer") } },
    problems: [...BODY, "not-found", "forbidden", "balance-unknown"],
  },
  pause: {
    method: "POST",
    path: "/v1/accounts/{id}/pause",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, body: PAUSE_BODY },
    answers: { 200: { schema: answer("PauseAnswer") } },
    problems: [...BODY, "not-found", "forbidden"],
  },
  resume: {
    method: "POST",
    path: "/v1/accounts/{id}/resume",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, body: RESUME_BODY },
    answers: { 200: { schema: answer("PauseAnswer") } },
    problems: [...BODY, "not-found", "forbidden"],
  },
  audit: {
    method: "GET",
    path: "/v1/accounts/{id}/audit",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, query: AuditQuery },
    answers: { 200: { schema: answer("AuditLog") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
} as const satisfies Record<string, RouteSpec>;
