import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** Capacity units consumed, summed over every command sent while measuring (table and indexes). */
export interface ConsumedCapacity {
  readUnits: number;
  writeUnits: number;
  /** Commands sent, by name (e.g. `{ TransactWriteItemsCommand: 1 }`). */
  commands: Record<string, number>;
}

const NAME = "consumedCapacityMeter";

interface CapacityEntry {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const WRITES = /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)Command$/;

/**
 * Asks DynamoDB for `ReturnConsumedCapacity: "TOTAL"` on every command the client sends and adds up what
 * it reports (DynamoDB Local reports it too). A condition that fails still consumes write units; DynamoDB
 * reports them on the error, which this counts as well.
 */
export function meterConsumedCapacity(client: DynamoDBClient) {
  let current: ConsumedCapacity | undefined;
  const add = (command: string, entries: CapacityEntry | CapacityEntry[] | undefined) => {
    if (!current || entries === undefined) return;
    for (const entry of Array.isArray(entries) ? entries : [entries]) {
      const read = entry.ReadCapacityUnits;
      const write = entry.WriteCapacityUnits;
      if (read !== undefined || write !== undefined) {
        current.readUnits += read ?? 0;
        current.writeUnits += write ?? 0;
      } else if (WRITES.test(command)) {
        current.writeUnits += entry.CapacityUnits ?? 0;
      } else {
        current.readUnits += entry.CapacityUnits ?? 0;
      }
    }
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? "unknown");
      const input = args.input as Record<string, unknown>;
      if (current) {
        input.ReturnConsumedCapacity = "TOTAL";
        current.commands[command] = (current.commands[command] ?? 0) + 1;
      }
      try {
        const result = await next(args);
        add(command, (result.output as { ConsumedCapacity?: CapacityEntry }).ConsumedCapacity);
        return result;
      } catch (error) {
        add(command, (error as { ConsumedCapacity?: CapacityEntry }).ConsumedCapacity);
        throw error;
      }
    },
    { step: "initialize", name: NAME },
  );
  return {
    /** What `operation` consumed (nothing else may use the client meanwhile). */
    async during(operation: () => Promise<unknown>): Promise<ConsumedCapacity> {
      const mine: ConsumedCapacity = { readUnits: 0, writeUnits: 0, commands: {} };
      current = mine;
      try {
        await operation();
      } finally {
        current = undefined;
      }
      return mine;
    },
    stop() {
      client.middlewareStack.remove(NAME);
    },
  };
}
