import { unmarshall } from "@aws-sdk/util-dynamodb";

/**
 * A write refused by its condition, with the item as it was (ReturnValuesOnConditionCheckFailure ALL_OLD).
 * The document client does not unmarshall the item carried by the error, so this does.
 */
export interface ConditionFailure {
  /** Undefined when the item does not exist. */
  oldItem: Record<string, unknown> | undefined;
}

export function conditionFailure(error: unknown): ConditionFailure | undefined {
  if (!(error instanceof Error) || error.name !== "ConditionalCheckFailedException") return undefined;
  const item = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
  return { oldItem: item === undefined ? undefined : unmarshall(item) };
}
