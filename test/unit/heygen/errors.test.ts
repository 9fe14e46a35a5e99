import { describe, expect, it } from "vitest";
import { classifyFailure, HeyGenError } from "#heygen/errors";
import { readReportedError } from "#heygen/responses";

describe("readReportedError", () => {
  it("reads the v3 envelope", () => {
    const body = {
      error: { code: "insufficient_credit", message: "Top up", param: null, doc_url: "https://x" },
    };
    expect(readReportedError(body)).toEqual({ code: "insufficient_credit", message: "Top up" });
  });

  it("reads both legacy envelopes, numeric codes as strings", () => {
    expect(readReportedError({ data: null, error: { code: 40009, message: "bad key" } })).toEqual({
      code: "40009",
      message: "bad key",
    });
    expect(readReportedError({ code: 40009, message: "bad key" })).toEqual({
      code: "40009",
      message: "bad key",
    });
  });

  it("finds no error in successes, including the legacy code 100", () => {
    expect(readReportedError({ error: null, data: { remaining_quota: 60 } })).toBeUndefined();
    expect(readReportedError({ code: 100, message: "Success", data: {} })).toBeUndefined();
    expect(readReportedError({ data: { billing_type: "wallet" } })).toBeUndefined();
    expect(readReportedError(undefined)).toBeUndefined();
  });
});

describe("classifyFailure", () => {
  const cases: Array<[number, string | undefined, string]> = [
    [401, "unauthorized", "invalid_key"],
    [401, undefined, "invalid_key"],
    [200, "40009", "invalid_key"],
    [400, "40009", "invalid_key"],
    [402, undefined, "insufficient_credit"],
    [200, "MOVIO_PAYMENT_INSUFFICIENT_CREDIT", "insufficient_credit"],
    [403, "forbidden", "forbidden"],
    [404, "not_found", "not_found"],
    [429, "quota_exceeded", "rate_limited"],
    [429, undefined, "rate_limited"],
    [500, undefined, "unavailable"],
    [503, "forbidden", "unavailable"],
    [400, "invalid_parameter", "bad_response"],
    [409, "conflict", "bad_response"],
    [200, "some_new_code", "bad_response"],
    [301, undefined, "bad_response"],
    // The authentication family on any status (field cases F5, F6), codes never words.
    [401, "internal_error", "invalid_key"],
    [401, "400112", "invalid_key"],
    [200, "400112", "invalid_key"],
    [200, "401", "invalid_key"],
    [400, "40101", "invalid_key"],
    [200, "401001", "invalid_key"],
    [403, "invalid_api_key", "invalid_key"],
    [200, "api_key_expired", "invalid_key"],
    [200, "4010011", "bad_response"],
    [200, "40100", "invalid_key"],
    // Retired endpoints: 410 whatever the body, or a retired code.
    [410, undefined, "endpoint_retired"],
    [410, "not_found", "endpoint_retired"],
    [404, "endpoint_retired", "endpoint_retired"],
    [404, "api_deprecated", "endpoint_retired"],
    [404, "not_found", "not_found"],
  ];
  it.each(cases)("HTTP %i with code %s is %s", (status, code, expected) => {
    expect(classifyFailure(status, code)).toBe(expected);
  });

  it("a rate limit or an outage wins over an auth code (they decide retrying)", () => {
    expect(classifyFailure(429, "40009")).toBe("rate_limited");
    expect(classifyFailure(503, "unauthorized")).toBe("unavailable");
  });

  it("does not map by message substrings", () => {
    expect(classifyFailure(400, "insufficient_something")).toBe("bad_response");
  });

  it("ignores codes that only exist on Object.prototype", () => {
    expect(classifyFailure(400, "constructor")).toBe("bad_response");
  });
});

describe("HeyGenError.finalise", () => {
  it("counts the attempts and blanks the key out of the message", () => {
    const error = new HeyGenError("invalid_key", "HeyGen said: key sk-SECRET-123 is wrong", { status: 401 });
    const final = error.finalise(2, "sk-SECRET-123");
    expect(final.message).not.toContain("sk-SECRET-123");
    expect(final).toMatchObject({ code: "invalid_key", status: 401, attempts: 2, retryable: false });
  });
});
