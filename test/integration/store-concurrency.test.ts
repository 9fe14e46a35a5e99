import { describe, expect, it } from "vitest";
import { meterConsumedCapacity } from "#local/consumed-capacity";
import {
  at,
  heldId,
  reservationHelpers,
  reserveRequest,
  settle,
  storeOnDynamoDbLocal,
  T0,
} from "#test/support/store-fixtures";

const local = storeOnDynamoDbLocal();
const { account, reserve, availableAt } = reservationHelpers(local);
/**
 * The store's concurrency and scale proofs (a concurrency project: npm run test:proofs): slow on DynamoDB
 * Local, so kept out of npm test. The store's contract tests are in store-reservations.test.ts.
 */
describe("reserve under concurrency", () => {
  it("200 concurrent reservations grant exactly floor(available / amount), ten times over", async () => {
    for (let round = 0; round < 10; round++) {
      const available = 500 + 97 * round;
      const amount = 3.5 + 0.75 * round;
      const floor = 10;
      const accountId = await account(available, floor);
      const results = await Promise.all(
        Array.from({ length: 200 }, () =>
          local.store.reserve(
            accountId,
            reserveRequest(accountId, amount, T0, { ttl: 600 }),
            settle(T0, floor),
          ),
        ),
      );
      const expected = Math.floor(available / amount);
      expect(results.filter((r) => r.kind === "created")).toHaveLength(expected);
      const denied = results.filter((r) => r.kind === "insufficient");
      expect(denied).toHaveLength(200 - expected);
      for (const d of denied) expect(d.shortfall).toBeGreaterThan(0);

      const { view, headroom, openHolds } = await availableAt(accountId, T0, floor);
      expect(openHolds).toBe(expected);
      expect(view.available).toBeCloseTo(available - expected * amount, 9);
      expect(view.available).toBeGreaterThanOrEqual(0);
      expect(headroom).toBeLessThanOrEqual((view.available ?? 0) + 1e-9);
    }
  }, 180_000);
});

describe("cost that does not grow with the open holds", () => {
  it("makes 5,000 open holds on one account, none refused, at the same consumed capacity per operation", async () => {
    const accountId = await account(1_000_000);
    const meter = meterConsumedCapacity(local.dynamo.client);
    const now = at(T0, 1);
    const costs = async () => {
      const [a, b] = [heldId(await reserve(accountId, 1, now)), heldId(await reserve(accountId, 1, now))];
      return {
        reserve: await meter.during(() => reserve(accountId, 1, now)),
        commit: await meter.during(() => local.store.commit(a, { final: true }, settle(now))),
        release: await meter.during(() => local.store.release(b, settle(now))),
        read: await meter.during(() => local.store.getAccountState(accountId)),
      };
    };
    try {
      const atZero = await costs();
      let refused = 0;
      for (let made = 0; made < 5_000; made += 50) {
        const batch = await Promise.all(Array.from({ length: 50 }, () => reserve(accountId, 1, now)));
        refused += batch.filter((r) => r.kind !== "created").length;
      }
      expect(refused).toBe(0);
      expect((await local.store.getAccountState(accountId))?.openHolds).toBe(5_000 + 1);
      const atFiveThousand = await costs();
      expect(atFiveThousand).toEqual(atZero);
      expect(atZero.reserve.commands).toEqual({ TransactWriteItemsCommand: 1 });
      expect(atZero.read.readUnits).toBe(1);
    } finally {
      meter.stop();
    }
  }, 300_000);
});
