import {
  ProvisionedThroughputExceededException,
  type CancellationReason as SdkCancellationReason,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { operationOf } from "#store/throttling";

/**
 * DynamoDB faults that DynamoDB Local never produces (throttling above all, field case G7), injected in front
 * of a real DynamoDB Local: the chosen commands fail with the SDK's own exception classes, as the SDK would
 * throw them after deserialising DynamoDB's answer, and are never sent, so nothing of them is written.
 */

/** One injected fault: which commands fail, after how many pass, how many times, with what. */
export interface DynamoFault {
  /** DynamoDB's operation name: `TransactWriteItems`, `UpdateItem`, `PutItem`, `GetItem`, `Query`, ... */
  operation: string;
  /** The error each failing command throws (a new one per failure). */
  error: () => Error;
  /** Only commands whose input this accepts match (default: every command of `operation`). */
  matches?: (input: Record<string, unknown>) => boolean;
  /** Matching commands that pass before the first failure (0: the next one fails). */
  after?: number;
  /** How many matching commands fail; Infinity: until `clear()`. */
  times?: number;
}

export interface DynamoFaults {
  /** For LocalStackOptions.wrapDynamo: a document client that sends through the faults. */
  wrap(doc: DynamoDBDocumentClient): DynamoDBDocumentClient;
  inject(fault: DynamoFault): void;
  /** Removes every fault; later commands pass. */
  clear(): void;
  /** How many commands failed with an injected error, since the start. */
  readonly failed: number;
  /** The operations sent through the wrapper (failed ones included), in order. */
  readonly sent: string[];
}

export function dynamoFaults(): DynamoFaults {
  let faults: (DynamoFault & { seen: number; failed: number })[] = [];
  const sent: string[] = [];
  let failed = 0;
  const faultFor = (operation: string, input: Record<string, unknown>) => {
    for (const fault of faults) {
      if (fault.operation !== operation || (fault.matches && !fault.matches(input))) continue;
      fault.seen += 1;
      if (fault.seen > (fault.after ?? 0) && fault.failed < (fault.times ?? 1)) {
        fault.failed += 1;
        return fault;
      }
    }
    return undefined;
  };
  return {
    wrap(doc) {
      const send = async (command: Parameters<DynamoDBDocumentClient["send"]>[0]) => {
        const operation = operationOf(command);
        sent.push(operation);
        const fault = faultFor(operation, (command as { input?: Record<string, unknown> }).input ?? {});
        if (fault) {
          failed += 1;
          throw fault.error();
        }
        return doc.send(command);
      };
      return new Proxy(doc, {
        get(target, property) {
          if (property === "send") return send;
          const value = Reflect.get(target, property, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    },
    inject(fault) {
      faults.push({ ...fault, seen: 0, failed: 0 });
    },
    clear() {
      faults = [];
    },
    get failed() {
      return failed;
    },
    sent,
  };
}

/** DynamoDB's text for an item throttled in a transaction (field case G7). */
export const THROTTLED_ITEM_MESSAGE =
  "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your " +
  "table or index so please try again shortly. If exceptions persist, check if you have a hot key: " +
  "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html.";

/**
 * A TransactionCanceledException as the SDK throws it, with these cancellation reasons (`{ Code, Message }`,
 * as DynamoDB sends them) and DynamoDB's message listing their codes.
 */
export function transactionCanceled(
  reasons: SdkCancellationReason[],
  message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons
    .map((r) => r.Code ?? "None")
    .join(", ")}]`,
): TransactionCanceledException {
  return new TransactionCanceledException({
    message,
    Message: message,
    CancellationReasons: reasons,
    $metadata: { httpStatusCode: 400, requestId: "injected" },
  });
}

/** A ProvisionedThroughputExceededException as the SDK throws it (a single request throttled). */
export function provisionedThroughputExceeded(): ProvisionedThroughputExceededException {
  return new ProvisionedThroughputExceededException({
    message:
      "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
    $metadata: { httpStatusCode: 400, requestId: "injected" },
  });
}
