import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isCreditRefusal } from "#core/credit-refusal";

/** HeyGen refusing a create call for lack of credit (field case G10), told from other refusals. */

const cases = (
  JSON.parse(
    readFileSync(new URL("../../fixtures/field-cases/heygen-2026-12.json", import.meta.url), "utf8"),
  ) as { cases: { id: string; status: number; body: unknown }[] }
).cases;

describe("isCreditRefusal", () => {
  it("field case G10: 402 with v3's insufficient_credit envelope", () => {
    const g10 = cases.find((c) => c.id === "G10");
    expect(g10).toBeDefined();
    expect(isCreditRefusal(g10?.status ?? 0, g10?.body)).toBe(true);
  });

  it.each([
    ["402 with any body", 402, "Payment Required"],
    ["v3 code on a 400", 400, { error: { code: "insufficient_credit", message: "x" } }],
    ["v2 code", 400, { code: "MOVIO_PAYMENT_INSUFFICIENT_CREDIT", message: null }],
    ["words in message", 403, { message: "Insufficient credits for this request" }],
    ["words in msg", 200, { data: null, msg: "insufficient credit" }],
    ["plain text", 400, "insufficient_credit"],
  ])("%s → refusal", (_name, status, body) => {
    expect(isCreditRefusal(status, body)).toBe(true);
  });

  it.each([
    ["insufficient permissions", 403, { error: { code: "forbidden", message: "Insufficient permissions" } }],
    ["server error", 500, { error: { code: "internal_error", message: "oops" } }],
    ["rate limited", 429, { error: { code: "rate_limit_exceeded" } }],
    ["no body", 400, undefined],
  ])("%s → not a refusal", (_name, status, body) => {
    expect(isCreditRefusal(status, body)).toBe(false);
  });
});
