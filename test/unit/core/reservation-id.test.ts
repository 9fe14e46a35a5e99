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

  it("are unique, even when made in the same millisecond", () => {
    const now = new Date("2026-03-01T12:00:00.000Z");
    const ids = new Set(Array.from({ length: 500 }, () => reservationIdFor("default", now)));
    expect(ids.size).toBe(500);
  });

  it("sort by creation time, so an account's holds list newest first under one key", () => {
    const times = [0, 1, 999, 86_400_000, 10 * 365 * 86_400_000].map(
      (ms) => new Date(1_700_000_000_000 + ms),
    );
    const ids = times.map((t) => reservationIdFor("default", t));
    expect([...ids].sort()).toEqual(ids);
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
