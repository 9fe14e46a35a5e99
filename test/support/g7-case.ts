import { readFileSync } from "node:fs";
import { type DynamoFault, transactionCanceled } from "./dynamo-faults.ts";

/**
 * Field case G7 (test/fixtures/field-cases/heygen-2026-12.json): DynamoDB cancels the reserve's
 * TransactWriteItems with a throttled item. Its request, its error and the error's variants, for the tests
 * that replay it through the local stack and through GatedVideoJob.
 */

interface G7Case {
  body: { message: string; CancellationReasons: { Code: string; Message?: string }[] };
  expected: {
    request: { method: string; path: string; headers: Record<string, string>; body: { accountId: string } };
  };
}
const G7 = (
  JSON.parse(
    readFileSync(new URL("../fixtures/field-cases/heygen-2026-12.json", import.meta.url), "utf8"),
  ) as { cases: (G7Case & { id: string })[] }
).cases.find((c) => c.id === "G7") as G7Case;
export const REQUEST = G7.expected.request;

/** The case's error, and its two variants: the HOLD Put throttled (its index keys), a provisioned table. */
export const VARIANTS: Record<string, () => Error> = {
  "G7 [ThrottlingError, None, None]": () => transactionCanceled(G7.body.CancellationReasons, G7.body.message),
  "[None, ThrottlingError, None]": () =>
    transactionCanceled([
      { Code: "None" },
      { Code: "ThrottlingError", Message: G7.body.CancellationReasons[0]?.Message },
      { Code: "None" },
    ]),
  "[ProvisionedThroughputExceeded, None, None]": () =>
    transactionCanceled([
      {
        Code: "ProvisionedThroughputExceeded",
        Message: "The level of configured provisioned throughput for the table was exceeded.",
      },
      { Code: "None" },
      { Code: "None" },
    ]),
};

/** A fault on every `operation` command until cleared. */
export const persistently = (error: () => Error, operation = "TransactWriteItems"): DynamoFault => ({
  operation,
  error,
  times: Number.POSITIVE_INFINITY,
});
