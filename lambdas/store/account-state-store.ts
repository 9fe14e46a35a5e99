import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { AccountPause, AccountState } from "#core/account";
import type { AccountStateStore } from "#service/account-state-port";
import type { AuditRecord } from "#service/audit-port";
import { auditPut } from "./audit-store.ts";
import { transactWrite } from "./conditional-write.ts";
import { stateKey, toAccountState } from "./state-item.ts";

const BATCH_GET_SIZE = 100;
const MAX_BATCH_ROUNDS = 5;

/** Reads of the account's state item (pk `ACCOUNT#<id>`, sk `STATE`). */
export class DynamoAccountStateStore implements AccountStateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getAccountState(accountId: string): Promise<AccountState | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: stateKey(accountId), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toAccountState(Item);
  }

  async setPause(
    accountId: string,
    pause: AccountPause | undefined,
    audit?: AuditRecord,
  ): Promise<AccountState> {
    const update = {
      TableName: this.tableName,
      Key: stateKey(accountId),
      // A state item made here (before the account's first reading) gets its counters from that reading's
      // claim (if_not_exists), as any new state item does.
      UpdateExpression: pause
        ? "SET paused = :pause, accountId = :accountId"
        : "REMOVE paused SET accountId = :accountId",
      ExpressionAttributeValues: { ":accountId": accountId, ...(pause ? { ":pause": pause } : {}) },
    };
    await transactWrite(this.doc, [
      { Update: update },
      ...(audit ? [{ Put: auditPut(this.tableName, audit) }] : []),
    ]);
    return (await this.getAccountState(accountId)) ?? toAccountState({ accountId });
  }

  async listAccountStates(accountIds: readonly string[]): Promise<Map<string, AccountState>> {
    const states = new Map<string, AccountState>();
    for (let start = 0; start < accountIds.length; start += BATCH_GET_SIZE) {
      const batch = accountIds.slice(start, start + BATCH_GET_SIZE);
      for (const item of await this.batchGet(batch.map(stateKey))) {
        const state = toAccountState(item);
        states.set(state.accountId, state);
      }
    }
    return states;
  }

  private async batchGet(keysToRead: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let pending = keysToRead;
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_BATCH_ROUNDS) throw new Error(`BatchGet left ${pending.length} keys unprocessed`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
      const { Responses, UnprocessedKeys } = await this.doc.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      items.push(...(Responses?.[this.tableName] ?? []));
      pending = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
  }
}
