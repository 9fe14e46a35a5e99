import { describe, expect, it } from "vitest";
import { accountIdOfReservation, reservationIdFor } from "#core/reservation-id";

const ID_SHAPE = /^rsv_[a-z0-9-]{1,40}_[A-Za-z0-9_-]{22}$/;

describe("reservation ids", () => {
  it("carry their account and 22 url-safe characters", () => {
    for (const accountId of ["default", "a", "team-7", "x".repeat(40)]) {
      const id = reservationIdFor(accountId);
      expect(id).toMatch(ID_SHAPE);
      expect(accountIdOfReservation(id)).toBe(accountId);
    }
  });

  it("are random without an Idempotency-Key", () => {
    const ids = new Set(Array.from({ length: 500 }, () => reservationIdFor("default")));
    expect(ids.size).toBe(500);
  });

  it("map one Idempotency-Key to one id per account, and different keys or accounts to different ids", () => {
    const id = reservationIdFor("default", "job-42");
    expect(reservationIdFor("default", "job-42")).toBe(id);
    expect(reservationIdFor("default", "job-43")).not.toBe(id);
    expect(reservationIdFor("other", "job-42")).not.toBe(id.replace("default", "other"));
    expect(accountIdOfReservation(reservationIdFor("other", "job-42"))).toBe("other");
  });

  it("do not reveal the Idempotency-Key", () => {
    const key = "customer-secret-order-123";
    expect(reservationIdFor("default", key)).not.toContain("secret");
  });

  it.each([
    ["no prefix", "default_AAAAAAAAAAAAAAAAAAAAAA"],
    ["wrong prefix", "res_default_AAAAAAAAAAAAAAAAAAAAAA"],
    ["suffix too short", "rsv_default_AAAAAAAAAAAAAAAAAAAAA"],
    ["suffix with a bad character", "rsv_default_AAAAAAAAAAAAAAAAAAAAA!"],
    ["no account", "rsv__AAAAAAAAAAAAAAAAAAAAAA"],
    ["account with upper case", "rsv_Default_AAAAAAAAAAAAAAAAAAAAAA"],
    ["account with an underscore", "rsv_de_fault_AAAAAAAAAAAAAAAAAAAAAA"],
    ["account too long", `rsv_${"x".repeat(41)}_AAAAAAAAAAAAAAAAAAAAAA`],
    ["empty", ""],
  ])("reject a malformed id (%s)", (_, id) => {
    expect(accountIdOfReservation(id)).toBeUndefined();
  });
});
