/**
 * Reserve latency and consumed capacity as an account's open holds grow: the cost of a reserve, and of a
 * check, must not depend on how many holds are open. Run alone: `tsx bench/open-holds.ts [levels]`, e.g.
 * `tsx bench/open-holds.ts 0,1000,10000`.
 */
import { meterConsumedCapacity } from "#local/consumed-capacity";
import { type LocalStack, sandboxKeyFor, startLocalStack } from "#local/stack";
import { runIfMain } from "./script.ts";
import { quantile, round } from "./stats.ts";

export interface OpenHoldsFigures {
  openHolds: number;
  reserveP50Ms: number;
  reserveP99Ms: number;
  /** Write units one reserve consumed (DynamoDB's ReturnConsumedCapacity TOTAL, indexes included). */
  reserveWcu: number;
  /** Read units one check consumed. */
  checkRcu: number;
}

export const DEFAULT_OPEN_HOLD_LEVELS = [0, 1_000, 10_000];
const AMOUNT = 0.001;
/** Reserves timed at each level (each left open, so a level ends with this many more holds). */
const SAMPLES = 200;
const FILL_CONCURRENCY = 8;
const WARM_UP = 300;
const TTL_SECONDS = 86_400;

async function post(stack: LocalStack, path: string, body: unknown, expect: number): Promise<unknown> {
  const response = await fetch(new URL(path, stack.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (response.status !== expect) {
    throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
  }
  return answer;
}

/**
 * At each level (ascending), tops the account up to that many open holds, then times `SAMPLES` reserves one
 * after another (each left open) and meters one reserve and one check.
 */
export async function measureOpenHolds(
  stack: LocalStack,
  accountId: string,
  levels: readonly number[] = DEFAULT_OPEN_HOLD_LEVELS,
): Promise<OpenHoldsFigures[]> {
  stack.sandbox?.setBalance(sandboxKeyFor(accountId), 1_000_000);
  await stack.pollNow();
  const reserve = () =>
    post(stack, "/v1/reservations", { accountId, amount: AMOUNT, ttlSeconds: TTL_SECONDS }, 201);
  const meter = meterConsumedCapacity(stack.dynamo.client);
  const figures: OpenHoldsFigures[] = [];
  // Warm up the JIT, the connections and DynamoDB Local's transaction path, then return every hold, so that
  // the first level is not measured cold.
  for (let i = 0; i < WARM_UP; i++) {
    const { id } = (await reserve()) as { id: string };
    await post(stack, `/v1/reservations/${id}/release`, {}, 200);
  }
  let open = 0;
  try {
    for (const level of levels) {
      while (open < level) {
        const batch = Math.min(FILL_CONCURRENCY, level - open);
        await Promise.all(Array.from({ length: batch }, reserve));
        open += batch;
      }
      await post(stack, "/v1/checks", { accountId, durationSeconds: 60 }, 200); // warm-up
      const latencies: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const started = performance.now();
        await reserve();
        latencies.push(performance.now() - started);
      }
      const reserveCost = await meter.during(reserve);
      const checkCost = await meter.during(() =>
        post(stack, "/v1/checks", { accountId, durationSeconds: 60 }, 200),
      );
      open += SAMPLES + 1;
      figures.push({
        openHolds: level,
        reserveP50Ms: round(quantile(latencies, 0.5)),
        reserveP99Ms: round(quantile(latencies, 0.99)),
        reserveWcu: round(reserveCost.writeUnits),
        checkRcu: round(checkCost.readUnits),
      });
    }
  } finally {
    meter.stop();
  }
  return figures;
}

async function main() {
  const levels = process.argv[2]?.split(",").map(Number) ?? DEFAULT_OPEN_HOLD_LEVELS;
  const stack = await startLocalStack({ env: {} });
  try {
    console.table(await measureOpenHolds(stack, "default", levels));
  } finally {
    await stack.stop();
  }
}

runIfMain(import.meta.url, main);
