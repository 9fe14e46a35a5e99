import { Router } from "@aws-lambda-powertools/event-handler/http";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { registerErrorHandlers } from "#api/errors";
import { Problem } from "#api/problem";
import { PROBLEM_TYPES } from "#api/problem-types";
import { EstimateError } from "#core/estimator";
import { UnknownRateCardError } from "#core/rate-card";
import {
  BalanceUnknownError,
  InsufficientBalanceError,
  ReservationConflictError,
  UnitMismatchError,
  UnknownAccountError,
  UnknownReservationError,
} from "#service/errors";
import {
  InvalidReservationRequestError,
  StoreConflictError,
  StoreThrottledError,
} from "#service/store-errors";
import { useCase } from "#service/use-case";

const sdkError = (name: string, status: number) =>
  Object.assign(new Error(`${name} from the SDK`), { name, $metadata: { httpStatusCode: status } });

/** A router whose one route raises `error` from inside a use case, as a store or a rule would. */
async function answerTo(error: unknown) {
  const app = new Router();
  const reported: unknown[] = [];
  const failing = useCase(async () => {
    throw error;
  });
  app.get("/fail", () => failing());
  registerErrorHandlers(app, { unexpectedError: (e) => reported.push(e) });
  const event = {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/fail",
    rawQueryString: "",
    headers: { host: "api.example", "x-forwarded-proto": "https" },
    requestContext: {
      domainName: "api.example",
      http: { method: "GET", path: "/fail", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "t" },
      requestId: "req-123",
    },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const response = await app.resolve(event, {} as Context);
  return {
    status: response.statusCode,
    headers: response.headers ?? {},
    body: JSON.parse(response.body ?? "{}") as Record<string, unknown> & { errors?: { pointer: string }[] },
    reported,
  };
}

describe("every error a route raises has its problem (one error handler per class)", () => {
  it.each([
    [
      "an unpriced job",
      new EstimateError("/jobs/0/resolution", "card", "4k not priced"),
      422,
      "/jobs/0/resolution",
    ],
    ["an unknown card", new UnknownRateCardError("nope", ["a"]), 422, "/rateCard"],
    ["a card in another unit", new UnitMismatchError("c", "usd", "credits"), 422, "/rateCard"],
    ["an unknown account", new UnknownAccountError("zz", "/accountId"), 404, "/accountId"],
    ["an unknown reservation", new UnknownReservationError("rsv_x"), 404, "/path/id"],
    ["an unknown balance", new BalanceUnknownError("a", "never read"), 409, undefined],
    ["a hold that does not fit", new InsufficientBalanceError(5, 2, 3, "usd"), 409, undefined],
    [
      "a field the store refuses",
      new InvalidReservationRequestError("cursor", "is bad", "/query/cursor"),
      400,
      "/query/cursor",
    ],
    ["lost write races", new StoreConflictError("a", "reserve", 5), 503, undefined],
    [
      "lost transaction races",
      Object.assign(new Error("contention"), { name: "TransactionContentionError" }),
      503,
      undefined,
    ],
    ["DynamoDB throttling", sdkError("ThrottlingException", 400), 503, undefined],
    ["a DynamoDB 500", sdkError("InternalServerError", 500), 503, undefined],
    [
      "a dropped connection",
      Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      503,
      undefined,
    ],
  ])("%s", async (_label, error, status, pointer) => {
    const { status: answered, headers, body, reported } = await answerTo(error);
    expect(reported).toEqual([]);
    expect(answered).toBe(status);
    expect(headers["content-type"]).toBe("application/problem+json");
    if (pointer) expect(body.errors?.map((e) => e.pointer)).toEqual([pointer]);
    if (status === 503) expect(headers["retry-after"]).toMatch(/^\d+$/);
  });

  it("a store that kept throttling is 503 store-throttled with the store's Retry-After, never a denial (G7)", async () => {
    const cause = sdkError("ThrottlingException", 400);
    const error = new StoreThrottledError("TransactWriteItems", ["ThrottlingError"], 5, 2, { cause });
    const { status, headers, body, reported } = await answerTo(error);
    expect(reported).toEqual([]);
    expect(status).toBe(503);
    expect(headers["retry-after"]).toBe("2");
    expect(body.type).toBe("https://api.example/problems/store-throttled");
    expect(PROBLEM_TYPES["store-throttled"].status).toBe(503);
  });

  it("a reservation conflict names the hold's state and amounts", async () => {
    const hold = { id: "rsv_a", status: "committed", amount: 5, committedAmount: 5, actualAmount: 4 };
    const { status, body } = await answerTo(new ReservationConflictError("released", hold));
    expect(status).toBe(409);
    expect(body).toMatchObject({
      reservationStatus: "committed",
      amount: 5,
      committedAmount: 5,
      actualAmount: 4,
    });
    expect(body.detail).toBe(
      "Reservation rsv_a is committed (amount 5, committed 5); it cannot be released.",
    );
  });

  it("every problem's type is this API's /problems/{type}, and its instance the request id", async () => {
    const { body } = await answerTo(new UnknownAccountError("zz", "/path/id"));
    expect(body.type).toBe("https://api.example/problems/not-found");
    expect(body.instance).toBe("req-123");
  });

  it("an error nobody expected is a 500 reported as a bug, with no internals in the answer", async () => {
    const bug = new TypeError("x is undefined at /var/task/index.mjs");
    const { status, body, reported } = await answerTo(bug);
    expect(reported).toEqual([bug]);
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain("index.mjs");
  });
});

describe("Problem", () => {
  it("keeps the RFC 9457 members when an extension has the same name", () => {
    const body = new Problem("reservation-conflict", "it is committed", [], { status: "committed" }).body({
      origin: "https://api.example",
      requestId: "r",
    });
    expect(body.status).toBe(409);
    expect(body.type).toMatch(/reservation-conflict$/);
  });

  it("takes its status and title from the problem type's one declaration", () => {
    const problem = new Problem("idempotency-key-reused", "reused");
    expect(problem.status).toBe(PROBLEM_TYPES["idempotency-key-reused"].status);
    expect(problem.title).toBe(PROBLEM_TYPES["idempotency-key-reused"].title);
  });
});
