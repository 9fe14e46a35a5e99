import * as z from "#core/zod";

/**
 * HeyGen's error envelopes (docs/heygen-facts.md#errors). The balance bodies are read by normalise.ts, leniently.
 */

const errorCode = z.union([z.string(), z.number()]);

/** v3 `{"error":{"code","message","param"?,"doc_url"?}}` and v1/v2 `{"data":null,"error":{"code","message"}}`. */
export const NestedErrorEnvelope = z.object({
  error: z.object({ code: errorCode, message: z.nullish(z.string()) }),
});

/** v1/v2 `{"code":40009,"message":"..."}`; code 100 is HeyGen's legacy "success", not an error. */
export const LegacyCodeEnvelope = z.object({
  code: errorCode.check(z.refine((code) => String(code) !== "100")),
  message: z.nullish(z.string()),
});

export interface ReportedError {
  code: string;
  message?: string;
}

/** The error a body reports in either envelope, if it reports one. */
export function readReportedError(body: unknown): ReportedError | undefined {
  const nested = NestedErrorEnvelope.safeParse(body);
  const found = nested.success ? nested.data.error : LegacyCodeEnvelope.safeParse(body).data;
  if (!found) return undefined;
  return { code: String(found.code), ...(found.message ? { message: found.message } : {}) };
}
