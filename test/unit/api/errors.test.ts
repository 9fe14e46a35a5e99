import { describe, expect, it } from "vitest";
import { toProblem } from "#api/errors";
import { problems } from "#api/problem";
import { EstimateError } from "#core/estimator";
import { UnknownRateCardError } from "#core/rate-card";
import { BalanceUnknownError, UnitMismatchError, UnknownAccountError } from "#service/errors";
import { HoldCapacityError, StoreConflictError } from "#service/store-port";

const sdkError = (name: string, status: number) =>
  Object.assign(new Error(`${name} from the SDK`), { name, $metadata: { httpStatusCode: status } });

describe("toProblem: every error a route raises has its problem", () => {
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
    ["an unknown balance", new BalanceUnknownError("a", "never read"), 409, undefined],
    ["a full state item", new HoldCapacityError("a"), 429, undefined],
    ["lost write races", new StoreConflictError("a", "reserve", 5), 503, undefined],
    ["DynamoDB throttling", sdkError("ThrottlingException", 400), 503, undefined],
    ["a DynamoDB 500", sdkError("InternalServerError", 500), 503, undefined],
  ])("%s", (_label, error, status, pointer) => {
    const { problem, unexpected } = toProblem(error);
    expect(unexpected).toBe(false);
    expect(problem.status).toBe(status);
    if (pointer) expect(problem.errors.map((e) => e.pointer)).toEqual([pointer]);
    if (status === 503 || status === 429) expect(problem.headers["retry-after"]).toMatch(/^\d+$/);
  });

  it("an error nobody expected is a 500 flagged for the log, with no internals in the answer", () => {
    const { problem, unexpected } = toProblem(new TypeError("x is undefined at /var/task/index.mjs"));
    expect(unexpected).toBe(true);
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain("index.mjs");
  });
});

describe("Problem", () => {
  it("keeps the RFC 9457 members when an extension has the same name", () => {
    const body = problems
      .conflict("reservation-not-held", "Not held", "it is committed", { status: "committed" })
      .toJSON();
    expect(body.status).toBe(409);
    expect(body.type).toMatch(/reservation-not-held$/);
  });
});
