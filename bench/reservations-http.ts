import type { LocalStack } from "#local/stack";
import type { LoadResult } from "./load-job.ts";
import { runLoad } from "./load-runner.ts";

export interface ReservationFigures extends LoadResult {
  clients: number;
  amount: number;
  /** The lowest `available` seen by GET /v1/accounts/{id} during the run and after it. */
  minAvailable: number;
  availableSamples: number;
  neverNegative: boolean;
  /** Holds counted as open after the run, and the state item's size as JSON (constant: holds are items). */
  openHoldsAfterRun: number;
  stateItemKB: number;
}

const AMOUNT = 0.01;
const SAMPLE_EVERY_MS = 100;

/**
 * `clients` concurrent clients doing reserve + commit pairs while the account's `available` is sampled
 * through the API; a committed hold keeps counting until a later poll settles it, so `available` only
 * falls during the run and must never go below zero.
 */
export async function measureReservations(
  stack: LocalStack,
  accountId: string,
  load: { clients: number; durationSeconds: number },
): Promise<ReservationFigures> {
  const seen: number[] = [];
  const sample = async () => {
    const response = await fetch(new URL(`/v1/accounts/${accountId}`, stack.url));
    const { available } = (await response.json()) as { available: number | null };
    if (available === null) throw new Error(`account ${accountId} has no recorded balance`);
    seen.push(available);
  };
  await sample();
  let running = true;
  const sampler = (async () => {
    while (running) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
    }
  })();
  let result: LoadResult;
  try {
    result = await runLoad({
      kind: "reserve-commit-pairs",
      url: stack.url,
      clients: load.clients,
      durationSeconds: load.durationSeconds,
      reservation: { accountId, amount: AMOUNT },
    });
  } finally {
    running = false;
    await sampler;
  }
  await sample();
  const minAvailable = Math.min(...seen);
  const state = await stack.services.store.getAccountState(accountId);
  return {
    ...result,
    clients: load.clients,
    amount: AMOUNT,
    minAvailable,
    availableSamples: seen.length,
    neverNegative: minAvailable >= 0,
    openHoldsAfterRun: state?.openHolds ?? 0,
    stateItemKB: Buffer.byteLength(JSON.stringify(state ?? {})) / 1000,
  };
}
