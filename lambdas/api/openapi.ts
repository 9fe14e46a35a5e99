import * as z from "zod";
import { VERSION } from "#config/version";
import { Estimate } from "#core/estimator";
import { HeyGenEvent } from "#core/heygen-events";
import { EstimateRequest } from "#core/job-spec";
import {
  AlertsQuery,
  AmountReservationRequest,
  CheckRequest,
  CommitRequest,
  EventsQuery,
  ExtendRequest,
  HistoryQuery,
  JobReservationRequest,
  ReleaseRequest,
  ReservationsQuery,
  TestAlertRequest,
  WaitRequest,
} from "./schemas.ts";

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests, so the two cannot
 * disagree. OpenAPI 3.1 uses JSON Schema 2020-12, which is what `z.toJSONSchema` emits.
 */

const schema = (s: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return rest;
};

const problem = { $ref: "#/components/schemas/Problem" };
const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: problem } },
});
const jsonResponse = (description: string, body: object = { type: "object" }) => ({
  description,
  content: { "application/json": { schema: body } },
});
const jsonBody = (ref: string, required = true) => ({
  required,
  content: { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const queryParameters = (s: z.ZodObject) =>
  Object.entries((schema(s).properties ?? {}) as Record<string, { description?: string }>).map(
    ([name, p]) => ({
      name,
      in: "query",
      required: false,
      schema: p,
      ...(p.description ? { description: p.description } : {}),
    }),
  );
const idParameter = (description: string) => ({
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string" },
  description,
});

const idempotencyKeyHeader = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  schema: { type: "string", maxLength: 255 },
  description:
    "Remembered 24 h: the same key with the same request gets the same answer (200, Idempotent-Replayed: " +
    "true); with another request, 409 idempotency-key-reused.",
};
const replayed = (description: string) => ({
  ...jsonResponse(description),
  headers: { "Idempotent-Replayed": { schema: { type: "string", enum: ["true"] } } },
});
const settleConflict = problemResponse(
  "reservation-conflict (naming reservationStatus, amount, committedAmount) or idempotency-key-reused",
);

const commonErrors = {
  "400": problemResponse("Invalid request; `errors[]` points at each invalid field."),
  "413": problemResponse("Body larger than 64 KiB."),
  "415": problemResponse("Body is not application/json."),
  "503": problemResponse("A dependency is unavailable; retry after `Retry-After` seconds."),
};

let cached: object | undefined;

export function openApiDocument(): object {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "HeyGen Quota Guard",
      version: VERSION,
      description:
        "Estimates, pre-generation checks and credit reservations against recorded HeyGen balances. " +
        "Every route is called with AWS SigV4 (IAM auth) in AWS; errors are RFC 9457 problem+json.",
    },
    paths: {
      "/v1/health": {
        get: { summary: "Liveness", responses: { "200": jsonResponse("Status and version") } },
      },
      "/v1/rate-cards": { get: { summary: "The rate cards", responses: { "200": jsonResponse("Cards") } } },
      "/v1/estimates": {
        post: {
          summary: "Estimate the cost of one job or a list of jobs",
          requestBody: jsonBody("EstimateRequest"),
          responses: {
            "200": jsonResponse("The estimate", { $ref: "#/components/schemas/Estimate" }),
            "422": problemResponse("The card does not price this job (unknown card, engine, resolution...)."),
            ...commonErrors,
          },
        },
      },
      "/v1/checks": {
        post: {
          summary: "May this job be started now? A no is a 200 with allowed: false",
          requestBody: jsonBody("CheckRequest"),
          responses: {
            "200": jsonResponse("The check answer"),
            "404": problemResponse("Unknown account"),
            "422": problemResponse("The card does not price the job, or counts in another unit."),
            ...commonErrors,
          },
        },
      },
      "/v1/reservations": {
        get: {
          summary: "An account's reservations, newest first, a page at a time",
          parameters: queryParameters(ReservationsQuery),
          responses: {
            "200": jsonResponse("{ reservations, nextCursor? }"),
            "404": problemResponse("Unknown account"),
            ...commonErrors,
          },
        },
        post: {
          summary: "Hold credit for a job (atomic; never oversubscribes)",
          parameters: [idempotencyKeyHeader],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  oneOf: [
                    { $ref: "#/components/schemas/AmountReservationRequest" },
                    { $ref: "#/components/schemas/JobReservationRequest" },
                  ],
                },
              },
            },
          },
          responses: {
            "201": jsonResponse("The new hold"),
            "200": replayed("The hold this Idempotency-Key made, as it is now"),
            "404": problemResponse("Unknown account"),
            "409": problemResponse(
              "insufficient-balance (with required, available, shortfall), balance-unknown or idempotency-key-reused",
            ),
            "422": problemResponse("The card does not price the job."),
            ...commonErrors,
          },
        },
      },
      "/v1/reservations/{id}": {
        get: {
          summary: "A reservation",
          parameters: [idParameter("Reservation id")],
          responses: {
            "200": jsonResponse("The reservation"),
            "404": problemResponse("Unknown reservation"),
          },
        },
      },
      "/v1/reservations/{id}/commit": {
        post: {
          summary: "Commit spend against a hold: a part (final: false) or the rest, ending it",
          parameters: [idParameter("Reservation id"), idempotencyKeyHeader],
          requestBody: jsonBody("CommitRequest", false),
          responses: {
            "200": replayed("The reservation (Idempotent-Replayed: true for a repeated final commit)"),
            "404": problemResponse("Unknown reservation"),
            "409": settleConflict,
            ...commonErrors,
          },
        },
      },
      "/v1/reservations/{id}/release": {
        post: {
          summary: "Return what a hold still holds",
          parameters: [idParameter("Reservation id"), idempotencyKeyHeader],
          requestBody: jsonBody("ReleaseRequest", false),
          responses: {
            "200": replayed("The released reservation (Idempotent-Replayed: true when repeated)"),
            "404": problemResponse("Unknown reservation"),
            "409": settleConflict,
            ...commonErrors,
          },
        },
      },
      "/v1/reservations/{id}/extend": {
        post: {
          summary: "Raise a held reservation's amount (taken from available) and/or move its expiry",
          parameters: [idParameter("Reservation id"), idempotencyKeyHeader],
          requestBody: jsonBody("ExtendRequest"),
          responses: {
            "200": replayed("The extended reservation"),
            "404": problemResponse("Unknown reservation"),
            "409": problemResponse(
              "insufficient-balance (with required, available, shortfall), reservation-conflict or idempotency-key-reused",
            ),
            ...commonErrors,
          },
        },
      },
      "/v1/reservations/{id}/wait": {
        post: {
          summary:
            "Register a Step Functions task (.waitForTaskToken) to be sent the hold's video outcome: success, or " +
            "failure VideoFailed / InsufficientCredits, when HeyGen's webhook settles the hold",
          parameters: [idParameter("Reservation id")],
          requestBody: jsonBody("WaitRequest"),
          responses: {
            "200": jsonResponse(
              "{ reservationId, waiting, resultSent } (resultSent: the outcome was known already)",
            ),
            "404": problemResponse("Unknown reservation"),
            ...commonErrors,
          },
        },
      },
      "/v1/accounts": { get: { summary: "Every account", responses: { "200": jsonResponse("Accounts") } } },
      "/v1/accounts/{id}": {
        get: {
          summary:
            "One account: latest balance, reserved, available, activeReservations, oldestOpenHoldAgeSeconds, alert level, forecast",
          parameters: [idParameter("Account id")],
          responses: { "200": jsonResponse("The account"), "404": problemResponse("Unknown account") },
        },
      },
      "/v1/accounts/{id}/history": {
        get: {
          summary: "Balance snapshots, newest first",
          parameters: [idParameter("Account id"), ...queryParameters(HistoryQuery)],
          responses: {
            "200": jsonResponse("Snapshots"),
            "404": problemResponse("Unknown account"),
            ...commonErrors,
          },
        },
      },
      "/v1/accounts/{id}/alerts": {
        get: {
          summary: "The alert log, newest first",
          parameters: [idParameter("Account id"), ...queryParameters(AlertsQuery)],
          responses: {
            "200": jsonResponse("Alerts"),
            "404": problemResponse("Unknown account"),
            ...commonErrors,
          },
        },
      },
      "/v1/accounts/{id}/events": {
        get: {
          summary: "The webhook log: HeyGen deliveries and what each did, newest first",
          parameters: [idParameter("Account id"), ...queryParameters(EventsQuery)],
          responses: {
            "200": jsonResponse("{ accountId, events }"),
            "404": problemResponse("Unknown account"),
            ...commonErrors,
          },
        },
      },
      "/v1/webhooks/heygen": {
        post: {
          summary:
            "HeyGen's webhook deliveries (no IAM: HeyGen's signature). A success commits the hold named by " +
            "callback_id at the reported duration, a failure releases it; see docs/webhooks.md",
          security: [],
          parameters: [
            {
              name: "Signature",
              in: "header",
              required: false,
              schema: { type: "string" },
              description: "Lowercase hex HMAC-SHA256 of the raw body with the endpoint secret.",
            },
            {
              name: "Heygen-Signature",
              in: "header",
              required: false,
              schema: { type: "string" },
              description: 'Hex HMAC-SHA256 of `Heygen-Timestamp + "." + body`; with Heygen-Timestamp.',
            },
            {
              name: "Heygen-Timestamp",
              in: "header",
              required: false,
              schema: { type: "string" },
              description: "Unix seconds; accepted within 5 minutes of now.",
            },
          ],
          requestBody: jsonBody("HeyGenEvent"),
          responses: {
            "200": jsonResponse(
              "{ received, duplicate, action: committed | released | replayed | conflict | unknown-reservation | ignored, … }",
            ),
            "400": problemResponse("Not JSON, or not a HeyGen event; `errors[]` points at each field."),
            "401": problemResponse("Missing or bad signature (no detail)."),
            "413": problemResponse("Body larger than 64 KiB."),
            "503": problemResponse("The store is unavailable; HeyGen's retry will be handled."),
          },
        },
      },
      "/v1/accounts/{id}/refresh": {
        post: {
          summary:
            "Read the balance from HeyGen now, as a scheduled poll does (records, moves the level, alerts, counts failures)",
          parameters: [idParameter("Account id")],
          responses: {
            "200": jsonResponse(
              "The account, with refreshed: true|false and, when false, reason: minRefreshIntervalSeconds (read " +
                "recently or a reading in progress), retryNotBefore (HeyGen asked to wait) or heygen-error (with refreshError)",
            ),
            "404": problemResponse("Unknown account"),
          },
        },
      },
      "/v1/accounts/{id}/test-alert": {
        post: {
          summary: "Send a marked test alert through SNS (email, SMS, chat); changes no alert level",
          parameters: [idParameter("Account id")],
          requestBody: jsonBody("TestAlertRequest", false),
          responses: {
            ...commonErrors,
            "200": jsonResponse("{alert}: the test alert as sent and logged"),
            "404": problemResponse("Unknown account"),
            "409": problemResponse("balance-unknown: no balance recorded yet"),
            "503": problemResponse(
              "SNS (or the store) did not accept it; retry after `Retry-After` seconds.",
            ),
          },
        },
      },
    },
    components: {
      schemas: {
        EstimateRequest: schema(EstimateRequest),
        Estimate: schema(Estimate),
        CheckRequest: schema(CheckRequest),
        AmountReservationRequest: schema(AmountReservationRequest),
        JobReservationRequest: schema(JobReservationRequest),
        CommitRequest: schema(CommitRequest),
        ReleaseRequest: schema(ReleaseRequest),
        ExtendRequest: schema(ExtendRequest),
        TestAlertRequest: schema(TestAlertRequest),
        HeyGenEvent: schema(HeyGenEvent),
        WaitRequest: schema(WaitRequest),
        Problem: {
          type: "object",
          required: ["type", "title", "status", "detail"],
          properties: {
            type: { type: "string", format: "uri" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            errors: {
              type: "array",
              items: {
                type: "object",
                required: ["pointer", "detail"],
                properties: { pointer: { type: "string" }, detail: { type: "string" } },
              },
            },
          },
        },
      },
    },
  };
  return cached;
}
