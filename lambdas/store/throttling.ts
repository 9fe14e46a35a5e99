import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { StoreThrottledError } from "#service/store-errors";

/**
 * DynamoDB throttling, told apart from every other refusal, and retried inside the call (field case G7).
 *
 * A transaction is throttled per item: TransactWriteItems is cancelled (TransactionCanceledException) with
 * `ThrottlingError` (on-demand table or index scaling, a hot key) or `ProvisionedThroughputExceeded` as the
 * reason of the item throttled, `None` for the others. Nothing was written, and no condition was judged on
 * the throttled item, so such a cancellation says nothing about the balance: it is retried, never read as a
 * refused condition. Single requests are throttled with an exception instead. The account's state item is in
 * every reserve and settle, so it is the hot key that throttles first (docs/reservations.md).
 */

/** Cancellation reason codes of a transaction item DynamoDB throttled. */
export const THROTTLING_REASON_CODES: readonly string[] = [
  "ThrottlingError",
  "ProvisionedThroughputExceeded",
];

/** Exceptions DynamoDB throttles a single request (or a whole transaction) with. */
export const THROTTLING_EXCEPTIONS: readonly string[] = [
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
];

/**
 * The throttling codes a DynamoDB error carries: the throttled items' reason codes of a cancelled transaction
 * (`ThrottlingError`, `ProvisionedThroughputExceeded`; a cancellation with any of them is a throttle, whatever
 * its other reasons say), the exception's name for a throttling exception or an HTTP 429; [] for anything else.
 */
export function throttlingCodesOf(error: unknown): string[] {
  if (!(error instanceof Error)) return [];
  if (error.name === "TransactionCanceledException") {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    const codes = reasons.map((reason) => reason.Code ?? "None");
    return [...new Set(codes.filter((code) => THROTTLING_REASON_CODES.includes(code)))];
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return THROTTLING_EXCEPTIONS.includes(error.name) || status === 429 ? [error.name] : [];
}

/** How a throttled call is retried inside the store before it gives up with StoreThrottledError. */
export interface ThrottleRetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The wait before the first retry is between half of this and this, in ms; it doubles per retry. */
  baseDelayMs: number;
  /** No wait is longer than this, in ms. */
  maxDelayMs: number;
  /** No retry starts later than this after the first try began, in ms (sends included). */
  budgetMs: number;
  /** What the caller is told to wait before sending the request again (Retry-After), in s. */
  retryAfterSeconds: number;
  /** How a wait is waited (tests pass one that does not). */
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1): the jitter. */
  random?: () => number;
}

/**
 * Five tries, waits of 25–50, 50–100, 100–200 and 200–400 ms (at most 750 ms in all): room for on-demand
 * scaling to catch up, and far inside the API function's 10 s timeout (and API Gateway's 30 s), even with
 * the SDK's own retry of a throttling exception inside each try. The 2 s budget bounds slow tries as well.
 */
export const THROTTLE_RETRY: ThrottleRetryPolicy = {
  attempts: 5,
  baseDelayMs: 50,
  maxDelayMs: 1_000,
  budgetMs: 2_000,
  retryAfterSeconds: 2,
};

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `send` (one DynamoDB `operation`), trying again after a jittered, doubling wait while DynamoDB
 * throttles it (throttlingCodesOf), at most `policy.attempts` times and within `policy.budgetMs`; then
 * throws StoreThrottledError (its cause the last throttle). Any other error is thrown as is, at once. A
 * throttled request wrote nothing (a transaction applies whole or not at all), so sending it again is safe.
 */
export async function retryingThrottles<T>(
  operation: string,
  send: () => Promise<T>,
  policy: ThrottleRetryPolicy = THROTTLE_RETRY,
): Promise<T> {
  const sleep = policy.sleep ?? realSleep;
  const random = policy.random ?? Math.random;
  const startedAt = performance.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const codes = throttlingCodesOf(error);
      if (codes.length === 0) throw error;
      // Equal jitter: never at once (the hot key needs the pause), never in step with other writers.
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
      const late = performance.now() - startedAt + delay > policy.budgetMs;
      if (attempt >= policy.attempts || late) {
        throw new StoreThrottledError(operation, codes, attempt, policy.retryAfterSeconds, { cause: error });
      }
      await sleep(delay);
    }
  }
}

/** DynamoDB's name of the operation a lib-dynamodb (or client) command performs, for errors and logs. */
export function operationOf(command: unknown): string {
  const name = (command as { constructor?: { name?: string } })?.constructor?.name ?? "";
  const short = name.replace(/Command$/, "");
  return OPERATIONS[short] ?? short;
}

const OPERATIONS: Record<string, string> = {
  TransactWrite: "TransactWriteItems",
  Put: "PutItem",
  Update: "UpdateItem",
  Get: "GetItem",
  BatchGet: "BatchGetItem",
};

/**
 * The document client the store sends through: every command retried while throttled (retryingThrottles),
 * so no adapter can read a throttle as an answer, and a throttle that lasts leaves it as StoreThrottledError.
 * Everything but `send` is the given client's own.
 */
export function withThrottleRetries(
  doc: DynamoDBDocumentClient,
  policy: ThrottleRetryPolicy = THROTTLE_RETRY,
): DynamoDBDocumentClient {
  const send = (command: Parameters<DynamoDBDocumentClient["send"]>[0]) =>
    retryingThrottles(operationOf(command), () => doc.send(command), policy);
  return new Proxy(doc, {
    get(target, property) {
      if (property === "send") return send;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
