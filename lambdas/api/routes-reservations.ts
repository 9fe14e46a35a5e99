import { safeParseJobRequest } from "#core/job-spec";
import * as z from "#core/zod";
import { named } from "#core/zod-meta";
import type { Reservation } from "./responses.ts";
import {
  answer,
  BODY,
  IdempotencyHeaders,
  isAmountRequest,
  json,
  ReservationPath,
  type RouteSpec,
  SETTLE,
} from "./route-spec.ts";
import {
  AmountReservationRequest,
  CommitRequest,
  ExtendRequest,
  JobReservationRequest,
  ReleaseRequest,
  ReservationsQuery,
  WaitRequest,
} from "./schemas.ts";

/** The reservation routes: hold, commit, release, extend, list and wait (docs/api.md). */
export const RESERVATION_ROUTES = {
  reserve: {
    method: "POST",
    path: "/v1/reservations",
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
        schema: answer("Reservation"),
        location: (hold: z.output<typeof Reservation>) => `/v1/reservations/${encodeURIComponent(hold.id)}`,
      },
      200: {
        schema: answer("Reservation"),
        replayable: true,
      },
    },
    problems: [
      ...BODY,
      "not-found",
      "forbidden",
      "insufficient-balance",
      "balance-unknown",
      "paused",
      "no-free-slot",
      "budget-exhausted",
      "budget-max-per-job",
      "idempotency-key-reused",
      "unprocessable",
    ],
  },
  listReservations: {
    method: "GET",
    path: "/v1/reservations",
    auth: "iam",
    servedBy: "api",
    request: { query: ReservationsQuery },
    answers: { 200: { schema: answer("ReservationPage") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
  getReservation: {
    method: "GET",
    path: "/v1/reservations/{id}",
    auth: "iam",
    servedBy: "api",
    request: { path: ReservationPath },
    answers: { 200: { schema: answer("Reservation") } },
    problems: ["not-found", "forbidden"],
  },
  commit: {
    method: "POST",
    path: "/v1/reservations/{id}/commit",
    auth: "iam",
    servedBy: "api",
    request: {
      path: ReservationPath,
      headers: IdempotencyHeaders,
      body: json(named(CommitRequest, "CommitRequest"), false),
    },
    answers: {
      200: {
        schema: answer("Reservation"),
        replayable: true,
      },
    },
    problems: [...SETTLE, "commit-exceeds-available"],
  },
  release: {
    method: "POST",
    path: "/v1/reservations/{id}/release",
    auth: "iam",
    servedBy: "api",
    request: {
      path: ReservationPath,
      headers: IdempotencyHeaders,
      body: json(named(ReleaseRequest, "ReleaseRequest"), false),
    },
    answers: {
      200: {
        schema: answer("Reservation"),
        replayable: true,
      },
    },
    problems: SETTLE,
  },
  extend: {
    method: "POST",
    path: "/v1/reservations/{id}/extend",
    auth: "iam",
    servedBy: "api",
    request: {
      path: ReservationPath,
      headers: IdempotencyHeaders,
      body: json(named(ExtendRequest, "ExtendRequest")),
    },
    answers: {
      200: { schema: answer("Reservation"), replayable: true },
    },
    problems: [
      ...SETTLE,
      "insufficient-balance",
      "budget-exhausted",
      "budget-max-per-job",
      "budget-period-ended",
    ],
  },
  wait: {
    method: "POST",
    path: "/v1/reservations/{id}/wait",
    auth: "iam",
    servedBy: "webhook",
    request: { path: ReservationPath, body: json(named(WaitRequest, "WaitRequest")) },
    answers: {
      200: {
        schema: answer("WaitAnswer"),
      },
    },
    problems: [...BODY, "not-found", "forbidden"],
  },
} as const satisfies Record<string, RouteSpec>;
