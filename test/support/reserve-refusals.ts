import type { LocalStack } from "#local/stack";

/**
 * Refusals of reserves that the local stack cannot produce yet on its own (a full render slot, an exhausted
 * budget), made where the guard makes them: the store's reserve transaction. The next reserves (writes with
 * a new hold) throw the queued errors in turn, before anything is written; the real router answers each
 * as it answers that error (status, problem+json, headers), and other writes pass.
 */
export interface ReserveRefusals {
  /** Queues `count` refusals made by `error` (Infinity: until `clear()`). */
  refuse(error: () => Error, count?: number): void;
  /** How many reserves were refused since the start. */
  readonly refused: number;
  clear(): void;
  /** Puts the store's own method back. */
  restore(): void;
}

export function reserveRefusals(stack: Pick<LocalStack, "services">): ReserveRefusals {
  const store = stack.services.store;
  const applyWrites = store.applyWrites;
  let queue: { error: () => Error; left: number }[] = [];
  let refused = 0;
  store.applyWrites = async (writes) => {
    const next = queue[0];
    if (next && writes.some((write) => write.write === "new-hold")) {
      next.left -= 1;
      if (next.left <= 0) queue.shift();
      refused += 1;
      throw next.error();
    }
    return applyWrites(writes);
  };
  return {
    refuse(error, count = 1) {
      queue.push({ error, left: count });
    },
    get refused() {
      return refused;
    },
    clear() {
      queue = [];
    },
    restore() {
      store.applyWrites = applyWrites;
    },
  };
}
