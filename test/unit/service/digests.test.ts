import { describe, expect, it } from "vitest";
import type { AccountConfig } from "#config/config";
import { claimedIn } from "#service/digests";
import type { PollResult } from "#service/poll-account";

const account = (id: string) => ({ id }) as AccountConfig;
const result = (accountId: string, status: PollResult["status"]): PollResult => ({
  accountId,
  status,
  alerts: [],
});

describe("which accounts a poll may send the digest of", () => {
  it("those whose reading of the tick it claimed, whatever the reading found", () => {
    const mine = claimedIn([
      result("a", "recorded"),
      result("b", "failed"),
      result("c", "deferred"),
      result("d", "duplicate"),
    ]);
    expect(["a", "b", "c", "d", "e"].filter((id) => mine(account(id)))).toEqual(["a", "b", "c"]);
  });

  it("none for a duplicated invocation of the tick, whose every reading another invocation claimed", () => {
    const mine = claimedIn([result("a", "duplicate"), result("b", "duplicate")]);
    expect([account("a"), account("b")].filter(mine)).toEqual([]);
  });
});
