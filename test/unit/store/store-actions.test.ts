import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { STORE_ACTIONS } from "#store/dynamo-store";

/**
 * STORE_ACTIONS, which infra grants, is what the store's code sends: every command in lambdas/store maps to a
 * granted action and every granted action is used (least privilege both ways). A transaction is authorised
 * per item, so its items may only be the kinds granted too.
 */

const STORE_DIR = fileURLToPath(new URL("../../../lambdas/store", import.meta.url));
const sources = readdirSync(STORE_DIR)
  .filter((name) => name.endsWith(".ts"))
  .map((name) => readFileSync(join(STORE_DIR, name), "utf8"))
  .join("\n");

/** The IAM actions a lib-dynamodb command needs (a transaction: those of its items, checked below). */
const ACTIONS_OF: Record<string, string[]> = {
  GetCommand: ["GetItem"],
  BatchGetCommand: ["BatchGetItem"],
  QueryCommand: ["Query"],
  PutCommand: ["PutItem"],
  UpdateCommand: ["UpdateItem"],
  DeleteCommand: ["DeleteItem"],
  TransactWriteCommand: [],
};

describe("the store's DynamoDB actions", () => {
  const commands = [...new Set([...sources.matchAll(/new (\w+Command)\(/g)].map((m) => m[1] ?? ""))];

  // A transaction's items are authorised as their kinds: `{ Put: … }`, `{ Update: … }`, `{ Delete: … }`.
  const transactionItems = [
    ...new Set([...sources.matchAll(/\{ (Put|Update|Delete): /g)].map((m) => `${m[1]}Item`)),
  ];

  it("grants exactly what the store's commands and transaction items need", () => {
    for (const command of commands) expect(Object.keys(ACTIONS_OF), command).toContain(command);
    const needed = new Set([
      ...commands.flatMap((command) => ACTIONS_OF[command] ?? []),
      ...transactionItems,
    ]);
    expect([...STORE_ACTIONS].sort()).toEqual([...needed].sort());
  });

  it("puts only Put, Update and Delete items in transactions (no ConditionCheck, which is not granted)", () => {
    expect(sources).not.toMatch(/\bConditionCheck\s*:\s*\{/);
  });
});
