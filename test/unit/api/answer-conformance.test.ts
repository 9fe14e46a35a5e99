import { describe, expect, it } from "vitest";
import { assertAnswerConforms } from "#test/support/answer-conformance";

/** The check every e2e call makes (test/support/e2e.ts): it must refuse what drifts from the route table. */
describe("answers are held to their route's schemas", () => {
  const health = { status: "ok", version: "1.0.0" };

  it("accepts an answer its route declares", () => {
    expect(() => assertAnswerConforms("GET", "/v1/health", 200, "application/json", health)).not.toThrow();
  });

  it("refuses an answer with a field its schema does not have, or without one it requires", () => {
    expect(() =>
      assertAnswerConforms("GET", "/v1/health", 200, "application/json", { ...health, uptime: 3 }),
    ).toThrow(/GET \/v1\/health 200/);
    expect(() =>
      assertAnswerConforms("GET", "/v1/reservations/rsv_a_x?x=1", 200, "application/json", {
        accountId: "a",
      }),
    ).toThrow(/does not match its schema/);
  });

  it("refuses a problem without its request id or with a type that is no URI", () => {
    const problem = { type: "https://api/problems/not-found", title: "Not found", status: 404, detail: "d" };
    expect(() =>
      assertAnswerConforms("GET", "/x", 404, "application/problem+json", { ...problem, instance: "r" }),
    ).not.toThrow();
    expect(() => assertAnswerConforms("GET", "/x", 404, "application/problem+json", problem)).toThrow(
      /Problem/,
    );
    expect(() =>
      assertAnswerConforms("GET", "/x", 404, "application/problem+json", {
        ...problem,
        instance: "r",
        type: "x",
      }),
    ).toThrow(/Problem/);
  });
});
