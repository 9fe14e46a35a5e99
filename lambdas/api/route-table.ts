import { HeyGenEvent } from "#core/heygen-events";
import { EstimateRequest, safeParseJobRequest } from "#core/job-spec";
import * as z from "#core/zod";
import { withMeta } from "#core/zod-meta";
import type { ProblemType } from "./problem-types.ts";
import {
  AccountDetail,
  AccountList,
  AlertLog,
  CheckAnswer,
  EstimateAnswer,
  Health,
  History,
  named,
  OpenApiDocument,
  ProblemExplanation,
  RateCards,
  RefreshAnswer,
  Reservation,
  ReservationPage,
  TestAlertAnswer,
  WaitAnswer,
  WebhookEvents,
  WebhookReceipt,
  WebhookStatus,
} from "./responses.ts";
import {
  AlertsQuery,
  AmountReservationRequest,
  CheckRequest,
  CommitRequest,
  EventsQuery,
  ExtendRequest,
  HistoryQuery,
  IdempotencyKey,
  JobReservationRequest,
  RefreshRequest,
  ReleaseRequest,
  ReservationsQuery,
  TestAlertRequest,
  WaitRequest,
} from "./schemas.ts";

/**
 * The HTTP API (docs/api.md), each route declared once: method, path, request schemas, answers per status,
 * the problem types it can answer and who may call it. The router (routes.ts), the stack's route list
 * (route-list.ts, read by infra) and the OpenAPI document (openapi.ts) are all derived from this table.
 */

export type Method = "GET" | "POST" | "OPTIONS";

export interface Answer {
  description: string;
  /** The JSON body's schema; none for a 204, which has no body. */
  schema?: z.ZodMiniType;
  /** The answer repeats an earlier request's (same Idempotency-Key): `Idempotent-Replayed: true`. */
  replayable?: boolean;
  /**
   * The `Location` header of what the answer created, from its body (a path on this API). Every 201 declares
   * one (test/unit/api/route-table.test.ts), so that the router sets it on every 201.
   */
  location?: (body: never) => string;
}

export interface BodySpec {
  schema: z.ZodMiniType;
  required: boolean;
  /** `raw`: the route reads the body as text itself (a webhook's signature is over the raw bytes). */
  raw?: boolean;
  /** Replaces `schema.safeParse` where the schema alone would name the wrong fields (a union's one failure). */
  parse?: (input: unknown) => z.util.SafeParseResult<unknown>;
}

export interface RouteSpec {
  method: Method;
  /** OpenAPI path syntax: `/v1/reservations/{id}`. */
  path: `/${string}`;
  summary: string;
  /**
   * Who may call it: `iam` (SigV4; every route but HeyGen's), `heygen-signature` (HeyGen's webhook, which
   * cannot sign SigV4: the body's HMAC is checked by the use case instead) or `none` (HeyGen's OPTIONS probe
   * of the webhook URL, which carries nothing to check and reads nothing).
   */
  auth: "iam" | "heygen-signature" | "none";
  /**
   * The Lambda function that serves it in AWS: `webhook` for the routes that may send Step Functions task
   * results (the webhook and /wait, infra/heygen-webhook.ts), `api` for the rest.
   */
  servedBy: "api" | "webhook";
  request?: {
    path?: z.ZodMiniObject;
    query?: z.ZodMiniObject;
    /** Header names as sent (`Idempotency-Key`); matched case-insensitively. */
    headers?: z.ZodMiniObject;
    body?: BodySpec;
  };
  answers: Partial<Record<200 | 201 | 204, Answer>>;
  /** The problem types the route answers besides COMMON_PROBLEMS (the OpenAPI document lists them by status). */
  problems: readonly ProblemType[];
}

/**
 * Problem types every route can answer: a dependency outage or a throttled store (503, `Retry-After`) and a
 * bug (500).
 */
export const COMMON_PROBLEMS: readonly ProblemType[] = [
  "dependency-unavailable",
  "store-throttled",
  "internal-error",
];

const id = (description: string) => z.object({ id: withMeta(z.string(), { description }) });
const AccountPath = id("The account's id (configuration `accounts[].id`).");
const ReservationPath = id("The reservation's id, as answered by POST /v1/reservations (`rsv_<account>_…`).");
const IdempotencyHeaders = z.object({
  "Idempotency-Key": withMeta(z.optional(IdempotencyKey), {
    description:
      "Remembered 24 h: the same key with the same request gets the same answer (200, Idempotent-Replayed: " +
      "true); with another request, 409 idempotency-key-reused.",
  }),
});
const BODY: ProblemType[] = [
  "validation-error",
  "malformed-json",
  "payload-too-large",
  "unsupported-media-type",
];
const SETTLE: ProblemType[] = [...BODY, "not-found", "reservation-conflict", "idempotency-key-reused"];
const json = <S extends z.ZodMiniType>(schema: S, required = true) => ({ schema, required });
/** Job requests pick their form (one job, or `jobs`) first, so that errors point into it. */
const jobBody = <S extends Parameters<typeof safeParseJobRequest>[0]>(schema: S, id: string) => ({
  schema: named(schema, id),
  required: true,
  parse: (input: unknown) => safeParseJobRequest(schema, input),
});
const isAmountRequest = (input: unknown) => typeof input === "object" && input !== null && "amount" in input;

export const ROUTES = {
  health: {
    method: "GET",
    path: "/v1/health",
    summary: "Liveness and version",
    auth: "iam",
    servedBy: "api",
    answers: { 200: { description: "Status and version", schema: Health } },
    problems: [],
  },
  openApi: {
    method: "GET",
    path: "/openapi.json",
    summary: "This document",
    auth: "iam",
    servedBy: "api",
    answers: { 200: { description: "The OpenAPI 3.1 document", schema: OpenApiDocument } },
    problems: [],
  },
  problemType: {
    method: "GET",
    path: "/problems/{type}",
    summary: "What a problem type means: the `type` URI of every problem answer points here",
    auth: "iam",
    servedBy: "api",
    request: {
      path: z.object({
        type: withMeta(z.string(), { description: "A problem type, e.g. validation-error." }),
      }),
    },
    answers: {
      200: { description: "The problem type's status, title and explanation", schema: ProblemExplanation },
    },
    problems: ["not-found"],
  },
  rateCards: {
    method: "GET",
    path: "/v1/rate-cards",
    summary: "The rate cards",
    auth: "iam",
    servedBy: "api",
    answers: { 200: { description: "Every rate card", schema: RateCards } },
    problems: [],
  },
  estimate: {
    method: "POST",
    path: "/v1/estimates",
    summary: "Estimate the cost of one job or a list of jobs",
    auth: "iam",
    servedBy: "api",
    request: { body: jobBody(EstimateRequest, "EstimateRequest") },
    answers: { 200: { description: "The estimate", schema: EstimateAnswer } },
    problems: [...BODY, "unprocessable"],
  },
  check: {
    method: "POST",
    path: "/v1/checks",
    summary: "May this job be started now? A no is a 200 with allowed: false",
    auth: "iam",
    servedBy: "api",
    request: { body: jobBody(CheckRequest, "CheckRequest") },
    answers: { 200: { description: "The check answer", schema: CheckAnswer } },
    problems: [...BODY, "not-found", "unprocessable"],
  },
  reserve: {
    method: "POST",
    path: "/v1/reservations",
    summary: "Hold credit for a job (atomic; never oversubscribes)",
    auth: "iam",
    servedBy: "api",
    request: {
      headers: IdempotencyHeaders,
      body: {
        schema: z.union([
          named(AmountReservationRequest, "AmountReservationRequest"),
          named(JobReservationRequest, "JobReservationRequest"),
        ]),
        required: true,
        parse: (input: unknown) =>
          isAmountRequest(input)
            ? AmountReservationRequest.safeParse(input)
            : safeParseJobRequest(JobReservationRequest, input),
      },
    },
    answers: {
      201: {
        description: "The new hold",
        schema: Reservation,
        location: (hold: z.output<typeof Reservation>) => `/v1/reservations/${encodeURIComponent(hold.id)}`,
      },
      200: {
        description: "The hold this Idempotency-Key made, as it is now",
        schema: Reservation,
        replayable: true,
      },
    },
    problems: [
      ...BODY,
      "not-found",
      "insufficient-balance",
      "balance-unknown",
      "idempotency-key-reused",
      "unprocessable",
    ],
  },
  listReservations: {
    method: "GET",
    path: "/v1/reservations",
    summary: "An account's reservations, newest first, a page at a time",
    auth: "iam",
    servedBy: "api",
    request: { query: ReservationsQuery },
    answers: { 200: { description: "One page", schema: ReservationPage } },
    problems: ["validation-error", "not-found"],
  },
  getReservation: {
    method: "GET",
    path: "/v1/reservations/{id}",
    summary: "A reservation",
    auth: "iam",
    servedBy: "api",
    request: { path: ReservationPath },
    answers: { 200: { description: "The reservation", schema: Reservation } },
    problems: ["not-found"],
  },
  commit: {
    method: "POST",
    path: "/v1/reservations/{id}/commit",
    summary: "Commit spend against a hold: a part (final: false) or the rest, ending it",
    auth: "iam",
    servedBy: "api",
    request: {
      path: ReservationPath,
      headers: IdempotencyHeaders,
      body: json(named(CommitRequest, "CommitRequest"), false),
    },
    answers: {
      200: {
        description: "The reservation (Idempotent-Replayed: true for a repeated request)",
        schema: Reservation,
        replayable: true,
      },
    },
    problems: [...SETTLE, "commit-exceeds-available"],
  },
  release: {
    method: "POST",
    path: "/v1/reservations/{id}/release",
    summary: "Return what a hold still holds",
    auth: "iam",
    servedBy: "api",
    request: {
      path: ReservationPath,
      headers: IdempotencyHeaders,
      body: json(named(ReleaseRequest, "ReleaseRequest"), false),
    },
    answers: {
      200: {
        description: "The released reservation (Idempotent-Replayed: true when repeated)",
        schema: Reservation,
        replayable: true,
      },
    },
    problems: SETTLE,
  },
  extend: {
    method: "POST",
    path: "/v1/reservations/{id}/extend",
    summary: "Raise a held reservation's amount (taken from available) and/or move its expiry",
    auth: "iam",
    servedBy: "api",
    request: {
      path: ReservationPath,
      headers: IdempotencyHeaders,
      body: json(named(ExtendRequest, "ExtendRequest")),
    },
    answers: { 200: { description: "The extended reservation", schema: Reservation, replayable: true } },
    problems: [...SETTLE, "insufficient-balance"],
  },
  wait: {
    method: "POST",
    path: "/v1/reservations/{id}/wait",
    summary:
      "Register a Step Functions task (.waitForTaskToken) to be sent the hold's video outcome: success, or " +
      "failure VideoFailed / InsufficientCredits, when HeyGen's webhook settles the hold",
    auth: "iam",
    servedBy: "webhook",
    request: { path: ReservationPath, body: json(named(WaitRequest, "WaitRequest")) },
    answers: {
      200: { description: "Registered, or the known outcome sent (resultSent)", schema: WaitAnswer },
    },
    problems: [...BODY, "not-found"],
  },
  listAccounts: {
    method: "GET",
    path: "/v1/accounts",
    summary: "Every account",
    auth: "iam",
    servedBy: "api",
    answers: { 200: { description: "Every configured account's summary", schema: AccountList } },
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
    answers: { 200: { description: "The account", schema: AccountDetail } },
    problems: ["not-found"],
  },
  history: {
    method: "GET",
    path: "/v1/accounts/{id}/history",
    summary: "Balance snapshots, newest first",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, query: HistoryQuery },
    answers: { 200: { description: "Snapshots", schema: History } },
    problems: ["validation-error", "not-found"],
  },
  alerts: {
    method: "GET",
    path: "/v1/accounts/{id}/alerts",
    summary: "The alert log, newest first",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, query: AlertsQuery },
    answers: { 200: { description: "Alerts", schema: AlertLog } },
    problems: ["validation-error", "not-found"],
  },
  events: {
    method: "GET",
    path: "/v1/accounts/{id}/events",
    summary: "The webhook log: HeyGen deliveries and what each did, newest first",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, query: EventsQuery },
    answers: { 200: { description: "Webhook deliveries", schema: WebhookEvents } },
    problems: ["validation-error", "not-found"],
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
        schema: RefreshAnswer,
      },
    },
    problems: [...BODY, "not-found"],
  },
  testAlert: {
    method: "POST",
    path: "/v1/accounts/{id}/test-alert",
    summary: "Send a marked test alert through SNS (email, SMS, chat); changes no alert level",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, body: json(named(TestAlertRequest, "TestAlertRequest"), false) },
    answers: { 200: { description: "The test alert as sent and logged", schema: TestAlertAnswer } },
    problems: [...BODY, "not-found", "balance-unknown"],
  },
  heygenWebhook: {
    method: "POST",
    path: "/v1/webhooks/heygen",
    summary:
      "HeyGen's webhook deliveries (no IAM: HeyGen's signature). A success commits the hold named by " +
      "callback_id at the reported duration, a failure releases it; see docs/webhooks.md",
    auth: "heygen-signature",
    servedBy: "webhook",
    request: {
      headers: z.object({
        Signature: withMeta(z.optional(z.string()), {
          description:
            "Hex HMAC-SHA256 of the raw body with the endpoint secret (any case, optional `sha256=`).",
        }),
        "Heygen-Signature": withMeta(z.optional(z.string()), {
          description:
            'HeyGen v3: hex HMAC-SHA256 of the raw body (or, the older form, of `Heygen-Timestamp + "." + ' +
            "body`); needs Heygen-Timestamp.",
        }),
        "Heygen-Timestamp": withMeta(z.optional(z.string()), {
          description: "Unix seconds; Heygen-Signature is accepted within 5 minutes of it.",
        }),
        "Heygen-Event-Id": withMeta(z.optional(z.string()), {
          description:
            "The delivery's id (HeyGen repeats it on a retry): a repeat is answered duplicate: true.",
        }),
      }),
      body: { schema: named(HeyGenEvent, "HeyGenEvent"), required: true, raw: true },
    },
    answers: {
      200: {
        description: "Received, whatever it meant (an ignored type, an unknown callback_id, a repeat)",
        schema: WebhookReceipt,
      },
    },
    problems: [
      "validation-error",
      "malformed-json",
      "unauthorized",
      "unsigned-delivery",
      "payload-too-large",
    ],
  },
  webhookStatus: {
    method: "GET",
    path: "/v1/webhooks/heygen/status",
    summary:
      "Whether the webhook secret is set (never the secret): what `quota-guard doctor` checks after a deploy",
    auth: "iam",
    servedBy: "webhook",
    answers: { 200: { description: "The webhook secret's state", schema: WebhookStatus } },
    problems: [],
  },
  heygenWebhookProbe: {
    method: "OPTIONS",
    path: "/v1/webhooks/heygen",
    summary:
      "HeyGen's validation probe of a new webhook endpoint (OPTIONS, 1 s timeout; field case G5): 204 with " +
      "Allow, no IAM, no signature, nothing read",
    auth: "none",
    servedBy: "webhook",
    answers: { 204: { description: "No content; `Allow: POST, OPTIONS`" } },
    problems: [],
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;
