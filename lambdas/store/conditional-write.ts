import type { DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";

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
