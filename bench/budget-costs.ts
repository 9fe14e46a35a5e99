/**
 * Consumed capacity (WCU and RCU, DynamoDB's ReturnConsumedCapacity TOTAL, indexes included) of reserve,
 * commit, release, extend and an expiry correction, each on a hold with and without a budget, on an account
 * that already has 0, 100 and 1,000 budgets and as many open holds through them: a budget is read and
 * written by its key, so the cost must not grow with either (docs/budgets.md, "Cost"). Run alone:
 * `tsx bench/budget-costs.ts [levels]`, e.g. `tsx bench/budget-costs.ts 0,100,1000`.
 */
import { newBudget } from "#core/budget";
import { reservationIdFor } from "#core/reservation-id";
import { meterConsumedCapacity } from "#local/consumed-capacity";
import { type LocalStack, startLocalStack } from "#local/stack";
import { reservationOperations } from "#service/reservation-operations";
import type { ReserveRequest } from "#service/reservation-port";
import { createDynamoStore } from "#store/dynamo-store";
import { recordBalance } from "./balance-setup.ts";
import type { CommandCounts } from "./dynamodb-calls.ts";
import { runIfMain } from "./script.ts";
import { round } from "./stats.ts";

export const BUDGET_OPERATIONS = ["reserve", "commit", "release", "extend", "expiry correction"] as const;
export type BudgetOperation = (typeof BUDGET_OPERATIONS)[number];

export interface BudgetCostFigure {
  operation: BudgetOperation;
  /** Made on a hold reserved through a budget. */
  budget: boolean;
  /** Budgets on the account, and open holds through them, when it was measured. */
  present: number;
  /** As DynamoDB Local reports them. */
  readUnits: number;
  writeUnits: number;
  commands: CommandCounts;
  /**
   * Items written in TransactWriteItems. DynamoDB Local does not add up a transaction's items in its
   * consumed capacity (a transaction of three like-sized items reports what one does), so this is the figure
   * that shows the budget's item; DynamoDB proper bills 2 WCU per item per KB, plus each index entry written.
   */
  transactItems: number;
}

export const DEFAULT_BUDGET_LEVELS = [0, 100, 1_000];
const FILL_CONCURRENCY = 16;
const SETTLE_SECONDS = 60;
const TTL_SECONDS = 86_400;

/** At each level (a fresh account each), fills in the budgets and holds, then meters each operation once. */
export async function measureBudgetCosts(
  stack: LocalStack,
  levels: readonly number[] = DEFAULT_BUDGET_LEVELS,
): Promise<BudgetCostFigure[]> {
  const base = createDynamoStore(stack.dynamo.doc, stack.tableName);
  const store = { ...base, ...reservationOperations(base) };
  const meter = meterConsumedCapacity(stack.dynamo.client);
  const items = countTransactItems(stack.dynamo.client);
  const figures: BudgetCostFigure[] = [];
  try {
    for (const present of levels) {
      const accountId = `budget-costs-${present}`;
      const now = new Date();
      const rules = { now, reserveFloor: 0, settleSeconds: SETTLE_SECONDS };
      await recordBalance(store, accountId, 1_000_000_000, "credits", now);
      const settings = {
        limit: 1_000_000_000,
        period: "month" as const,
        timeZone: "UTC",
        mode: "hard" as const,
      };
      const save = (id: string) =>
        store.saveBudget(newBudget(accountId, id, settings, now), {
          expectedVersion: 0,
          restarted: true,
          leftDelta: 0,
        });
      await save("measured");
      const request = async (budgeted: boolean, ttlSeconds = TTL_SECONDS, budgetId = "measured") => {
        const budget = budgeted ? await store.getBudget(accountId, budgetId) : undefined;
        const made: ReserveRequest = {
          id: reservationIdFor(accountId, now),
          amount: 0.01,
          ttlSeconds,
          unit: "credits",
          retentionDays: 1,
          ...(budget ? { budget } : {}),
        };
        return made;
      };
      const reserve = async (budgeted: boolean, ttlSeconds = TTL_SECONDS, budgetId = "measured") => {
        const result = await store.reserve(accountId, await request(budgeted, ttlSeconds, budgetId), rules);
        if (result.kind !== "created") throw new Error(`bench reserve refused: ${result.kind}`);
        return result.view.id;
      };
      for (let made = 0; made < present; made += FILL_CONCURRENCY) {
        const batch = Array.from({ length: Math.min(FILL_CONCURRENCY, present - made) }, (_, i) => made + i);
        await Promise.all(batch.map((i) => save(`other-${i}`)));
        await Promise.all(batch.map((i) => reserve(true, TTL_SECONDS, `other-${i}`)));
      }
      const context = { now, reserveFloor: 0, settleSeconds: SETTLE_SECONDS };
      for (const budget of [false, true]) {
        const record = (operation: BudgetOperation, cost: Awaited<ReturnType<typeof meter.during>>) =>
          figures.push({
            transactItems: items.take(),
            operation,
            budget,
            present,
            readUnits: round(cost.readUnits, 3),
            writeUnits: round(cost.writeUnits, 3),
            commands: cost.commands,
          });
        // The reserve is metered with its read of the budget, as the use case makes it.
        items.take();
        record(
          "reserve",
          await meter.during(async () => store.reserve(accountId, await request(budget), rules)),
        );
        const committed = await reserve(budget);
        items.take();
        record("commit", await meter.during(() => store.commit(committed, { final: true }, context)));
        const released = await reserve(budget);
        items.take();
        record("release", await meter.during(() => store.release(released, context)));
        const extended = await reserve(budget);
        items.take();
        record("extend", await meter.during(() => store.extend(extended, { amount: 0.02 }, context)));
        await reserve(budget, 1);
        items.take();
        const later = new Date(now.getTime() + 2_000);
        record(
          "expiry correction",
          await meter.during(async () => {
            if ((await store.correctCounters(accountId, later)) !== 1)
              throw new Error("expected one expired hold");
          }),
        );
      }
    }
  } finally {
    meter.stop();
    items.stop();
  }
  return figures;
}

const ITEMS_COUNTER = "benchTransactItems";

/** Counts the items of every TransactWriteItems the client sends; `take` answers them since the last take. */
function countTransactItems(client: LocalStack["dynamo"]["client"]) {
  let count = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "TransactWriteItemsCommand") {
        count += ((args.input as { TransactItems?: unknown[] }).TransactItems ?? []).length;
      }
      return next(args);
    },
    { step: "initialize", name: ITEMS_COUNTER },
  );
  return {
    take() {
      const taken = count;
      count = 0;
      return taken;
    },
    stop() {
      client.middlewareStack.remove(ITEMS_COUNTER);
    },
  };
}

async function main() {
  const levels = process.argv[2]?.split(",").map(Number) ?? DEFAULT_BUDGET_LEVELS;
  const stack = await startLocalStack({ env: {} });
  try {
    console.table((await measureBudgetCosts(stack, levels)).map(({ commands: _c, ...figure }) => figure));
  } finally {
    await stack.stop();
  }
}

runIfMain(import.meta.url, main);
