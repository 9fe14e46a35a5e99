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
        schema: answer("Reservation"),
        location: (hold: z.output<typeof Reservation>) => `/v1/reservations/${encodeURIComponent(hold.id)}`,
      },
      200: {
        description: "The hold this Idempotency-Key made, as it is now",
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
    summary: "An account's reservations, newest first, a page at a time",
    auth: "iam",
    servedBy: "api",
    request: { query: ReservationsQuery },
    answers: { 200: { description: "One page", schema: answer("ReservationPage") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
  getReservation: {
    method: "GET",
    path: "/v1/reservations/{id}",
    summary: "A reservation",
    auth: "iam",
    servedBy: "api",
    request: { path: ReservationPath },
    answers: { 200: { description: "The reservation", schema: answer("Reservation") } },
    problems: ["not-found", "forbidden"],
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
        schema: answer("Reservation"),
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
        schema: answer("Reservation"),
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
    answers: {
      200: { description: "The extended reservation", schema: answer("Reservation"), replayable: true },
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
    summary:
      "Register a Step Functions task (.waitForTaskToken) to be sent the hold's video outcome: success, or " +
      "failure VideoFailed / InsufficientCredits, when HeyGen's webhook settles the hold",
    auth: "iam",
    servedBy: "webhook",
    request: { path: ReservationPath, body: json(named(WaitRequest, "WaitRequest")) },
    answers: {
      200: {
        description: "Registered, or the known outcome sent (resultSent)",
        schema: answer("WaitAnswer"),
      },
    },
    problems: [...BODY, "not-found", "forbidden"],
  },
} as const satisfies Record<string, RouteSpec>;
