import { describe } from "vitest";
import { budgetStoreContract } from "#test/support/budget-store-contract";
import { MemoryBudgetStore } from "./memory-budget-store.ts";

const store = new MemoryBudgetStore();

describe("the in-memory budget store keeps the store's contract", () => {
  budgetStoreContract(
    () => store,
    async (accountId, budgetId) => store.items.get(`${accountId}/${budgetId}`)?.left,
    async (accountId) => store.auditEntries.filter((e) => e.accountId === accountId),
  );
});
