import { expect, it } from "vitest";
import { startLocalStack } from "#local/stack";
import { runDynamoDbEndpoint } from "#test/support/local-stack";
import { runSoak } from "./soak.ts";

/** The soak's seed: SOAK_SEED replays a run (the traffic's choices; HeyGen's timing stays real). */
const SEED = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : Date.now() % 2 ** 31;

it("a 15 s soak of mixed traffic and polls under random HeyGen faults keeps every invariant", async () => {
  if (!Number.isSafeInteger(SEED))
    throw new Error(`SOAK_SEED must be an integer, not ${process.env.SOAK_SEED}`);
  console.info(`soak seed ${SEED} (replay: SOAK_SEED=${SEED} npm run test:reliability -- soak)`);
  const figures = await runSoak({
    durationMs: 15_000,
    seed: SEED,
    // The run's DynamoDB Local, but HeyGen retries that wait in real time as in production: the soak runs
    // for a fixed time, so waits cost it nothing, and its timing stays the one it was written for.
    startStack: (options) => startLocalStack({ ...options, dynamoEndpoint: runDynamoDbEndpoint() }),
  });
  expect(figures.violations, `seed ${figures.seed}`).toEqual([]);
  // The run really exercised what it claims to.
  expect(figures.byOperation.reserve).toBeGreaterThan(0);
  expect(figures.byOperation.release).toBeGreaterThan(0);
  expect(figures.byOperation.commit).toBeGreaterThan(0);
  expect(figures.faultsInjected).toBeGreaterThan(0);
  expect(figures.alertsSent).toBeGreaterThan(0);
  if (process.env.RELIABILITY_FIGURES) console.info(JSON.stringify(figures));
}, 60_000);
