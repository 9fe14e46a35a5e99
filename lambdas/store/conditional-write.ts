import {
  type DynamoDBDocumentClient,
  type PutCommand,
  TransactWriteCommand,
  type UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { StoreThrottledError } from "#service/store-errors";
import { THROTTLE_RETRY, throttlingCodesOf } from "./throttling.ts";

/**
 * The outcome of a conditional write: applied (with the item's attributes when the command asked for them),
 * or refused by its condition (with the item as it was, when the command asked for
 * ReturnValuesOnConditionCheckFailure ALL_OLD; undefined when the item does not exist).
 */
export type ConditionalWriteOutcome =
  | { applied: true; attributes: Record<string, unknown> | undefined }
  | { applied: false; oldItem: Record<string, unknown> | undefined };

/**
 * Sends one conditional Put or Update; a refused condition is an answer, not an error. Any other failure is
 * thrown as is.
 */
export async function conditionalWrite(
  doc: DynamoDBDocumentClient,
  command: PutCommand | UpdateCommand,
): Promise<ConditionalWriteOutcome> {
  try {
    const { Attributes } = await doc.send(command as UpdateCommand);
    return { applied: true, attributes: Attributes };
  } catch (error) {
    if (!(error instanceof Error) || error.name !== "ConditionalCheckFailedException") throw error;
    // The document client does not unmarshall the item carried by the error.
    const item = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
    return { applied: false, oldItem: item === undefined ? undefined : unmarshall(item) };
  }
}

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]>;

/** Why one item of a cancelled transaction was refused, with the item as it was when it asked for it. */
export interface CancellationReason {
  /** `None` for the items that were not the cause. */
  code: string;
  oldItem: Record<string, unknown> | undefined;
}

export type TransactionOutcome = { applied: true } | { applied: false; reasons: CancellationReason[] };

const MAX_CONFLICT_ATTEMPTS = 12;
const CONFLICT_PAUSE_MS = 15;

/** Raised when other transactions on the same items kept winning; the caller may retry (HTTP 503). */
export class TransactionContentionError extends Error {
  override readonly name = "TransactionContentionError";
  constructor(attempts: number) {
    super(`a transaction lost to concurrent writes on the same items ${attempts} times`);
  }
}

function unmarshallIfNeeded(item: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (item === undefined) return undefined;
  const marshalled = Object.values(item).every(
    (value) => typeof value === "object" && value !== null && Object.keys(value).length === 1,
  );
  return marshalled ? unmarshall(item as Parameters<typeof unmarshall>[0]) : item;
}

/**
 * Sends one TransactWriteItems; a cancellation by conditions is an answer (each item's reason, in order),
 * not an error. Transactions or writes in flight on the same items (DynamoDB's TransactionConflict) are
 * retried after a short random pause: a transaction either applies whole or not at all, so retrying
 * one that was cancelled is safe. A throttled cancellation is never an answer: the store's client retries it
 * (throttling.ts), and one that reaches this helper anyway is thrown as StoreThrottledError.
 */
export async function transactWrite(
  doc: DynamoDBDocumentClient,
  items: TransactItems,
): Promise<TransactionOutcome> {
  for (let attempt = 1; attempt <= MAX_CONFLICT_ATTEMPTS; attempt++) {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: items }));
      return { applied: true };
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      const throttled = throttlingCodesOf(error);
      if (throttled.length > 0) {
        throw new StoreThrottledError("TransactWriteItems", throttled, 1, THROTTLE_RETRY.retryAfterSeconds, {
          cause: error,
        });
      }
      if (error.name === "TransactionCanceledException") {
        const raw = (error as { CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] })
          .CancellationReasons;
        const reasons = (raw ?? []).map((reason) => ({
          code: reason.Code ?? "None",
          oldItem: unmarshallIfNeeded(reason.Item),
        }));
        const conflictOnly =
          reasons.some((r) => r.code === "TransactionConflict") &&
          !reasons.some((r) => r.code === "ConditionalCheckFailed");
        if (!conflictOnly) return { applied: false, reasons };
      } else if (error.name !== "TransactionConflictException") {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * CONFLICT_PAUSE_MS * attempt));
    }
  }
  throw new TransactionContentionError(MAX_CONFLICT_ATTEMPTS);
}
