import { describe, expect, it } from "vitest";
import type { Alert } from "#core/account";
import { alertIdOf } from "#core/alert-delivery";
import { recordPoll, storeOnDynamoDbLocal, T0 } from "#test/support/store-fixtures";

/** Owed alerts in the account state item (store/owed-alerts-store.ts), on DynamoDB Local. */

const local = storeOnDynamoDbLocal();
let accounts = 0;

function alertAt(accountId: string, minute: number): Alert {
  const fields = {
    accountId,
    alertType: "low_balance" as const,
    severity: "warning" as const,
    level: "warning" as const,
    previousLevel: "ok" as const,
    subject: "s",
    createdAt: new Date(T0.getTime() + minute * 60_000).toISOString(),
  };
  return { ...fields, id: alertIdOf(fields), status: "pending", owed: ["eventbridge"] };
}

describe("owed alerts", () => {
  it("are kept by id in the state item, read with it, and forgotten one by one", async () => {
    const accountId = `owed-${++accounts}`;
    await recordPoll(local.store, accountId, 30, T0);
    const [a, b] = [alertAt(accountId, 1), alertAt(accountId, 2)];
    // Both at once: the first creates the map, and neither write loses the other.
    await Promise.all([
      local.store.oweAlert(accountId, { alert: a, outlets: ["eventbridge"] }),
      local.store.oweAlert(accountId, { alert: b, outlets: ["eventbridge"] }),
    ]);
    const state = await local.store.getAccountState(accountId);
    expect(Object.keys(state?.owedAlerts ?? {}).sort()).toEqual([a.id, b.id].sort());
    expect(state?.owedAlerts?.[a.id ?? ""]).toEqual({ alert: a, outlets: ["eventbridge"] });

    await local.store.settleOwedAlert(accountId, a.id ?? "");
    await local.store.settleOwedAlert(accountId, a.id ?? "");
    expect(Object.keys((await local.store.getAccountState(accountId))?.owedAlerts ?? {})).toEqual([b.id]);
    // The reading's own writes leave the map alone.
    await recordPoll(local.store, accountId, 25, new Date(T0.getTime() + 300_000));
    expect(Object.keys((await local.store.getAccountState(accountId))?.owedAlerts ?? {})).toEqual([b.id]);
  });

  it("settling on an account that owes nothing does nothing", async () => {
    const accountId = `owed-${++accounts}`;
    await recordPoll(local.store, accountId, 30, T0);
    await expect(local.store.settleOwedAlert(accountId, "nothing")).resolves.toBeUndefined();
    expect((await local.store.getAccountState(accountId))?.owedAlerts).toBeUndefined();
  });
});
