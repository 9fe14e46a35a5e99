import { describe, expect, it } from "vitest";
import { reserveHold } from "#service/reservation-operations";
import { NOW } from "./fakes.ts";
import { ACCOUNT, reserveOf, rulesAt, storeWithBalance } from "./reservation-fixtures.ts";

/** The kill switch in the reserve's transaction (core/reserve-plan.ts, `notPaused`), on the in-memory store. */

const PAUSE = { reason: "runaway batch", at: NOW.toISOString(), by: "arn:aws:iam::123456789012:user/ops" };

describe("a paused account", () => {
  it("refuses a reserve with the pause's reason and holds nothing", async () => {
    const store = await storeWithBalance(100);
    await store.setPause(ACCOUNT, PAUSE);
    expect(await reserveHold(store, ACCOUNT, reserveOf(10), rulesAt())).toEqual({
      kind: "paused",
      reason: "runaway batch",
    });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 0, openHolds: 0 });
  });

  it("refuses a reserve planned before a pause that landed before its write: the condition is in the transaction", async () => {
    const store = await storeWithBalance(100);
    store.beforeNextApply(() => store.setPause(ACCOUNT, PAUSE));
    expect((await reserveHold(store, ACCOUNT, reserveOf(10), rulesAt())).kind).toBe("paused");
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 0, openHolds: 0 });
  });

  it("reserves again once resumed", async () => {
    const store = await storeWithBalance(100);
    await store.setPause(ACCOUNT, PAUSE);
    await store.setPause(ACCOUNT, undefined);
    expect((await reserveHold(store, ACCOUNT, reserveOf(10), rulesAt())).kind).toBe("created");
  });
});
