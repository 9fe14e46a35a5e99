import { describe, expect, it } from "vitest";
import {
  type AccountSummary,
  type Ledger,
  reservationViolations,
} from "#test/support/reservation-invariants";

/** The soak's oracle (test/support/reservation-invariants.ts) must fail for what it names, and only for that. */

const summary = (fields: Partial<AccountSummary>): AccountSummary => ({
  remaining: 100,
  reserved: 10,
  available: 90,
  reserveFloor: 0,
  activeReservations: 1,
  ...fields,
});
const ledger: Ledger = new Map([["rsv_a_1", 10]]);
const stored = { counted: new Set(["rsv_a_1"]), held: new Set(["rsv_a_1"]) };

describe("the reservation invariants", () => {
  it("hold for a consistent account", () => {
    expect(reservationViolations(ledger, summary({}), undefined, stored)).toEqual([]);
  });

  it("a negative available is a violation while the balance is not overdrawn", () => {
    const wrong = summary({ remaining: 5, available: -5 });
    expect(reservationViolations(ledger, wrong, undefined, stored)).toEqual(["available is negative: -5"]);
  });

  it("an overdrawn reading's negative available is not (soak seed 1008884925: HeyGen's negative_balance fault at the last poll)", () => {
    const overdrawn = summary({ remaining: -120, available: -130 });
    expect(reservationViolations(ledger, overdrawn, undefined, stored)).toEqual([]);
  });
});
