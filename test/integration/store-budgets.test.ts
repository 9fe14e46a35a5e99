import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe } from "vitest";
import { keys } from "#store/table";
import { budgetStoreContract } from "#test/support/budget-store-contract";
import { storeOnDynamoDbLocal } from "#test/support/store-fixtures";

const local = storeOnDynamoDbLocal();

describe("budgets on DynamoDB Local", () => {
  budgetStoreContract(
    () => local.store,
    async (accountId, budgetId) => {
      const { Item } = await local.dynamo.doc.send(
        new GetCommand({
          TableName: local.tableName,
          Key: { pk: keys.account(accountId), sk: keys.budget(budgetId) },
        }),
      );
      return Item?.left as number | undefined;
    },
    async (accountId) => (await local.store.listAudit(accountId, { limit: 100 })).entries.reverse(),
  );
});
