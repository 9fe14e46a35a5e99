import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { newBudget } from "#core/budget";
import { reservationIdFor } from "#core/reservation-id";
import { authoriseBudget, recordAccessDenial } from "#service/access";
import { getAccount, listAccounts, resolveAccount, resolveReservationAccount } from "#service/accounts";
import { accountAudit } from "#service/audit";
import { BalanceReader } from "#service/balance-reader";
import { deleteBudget, getBudget, listBudgets, setBudget } from "#service/budgets";
import { checkJobs } from "#service/checks";
import { AccessDeniedError, UnknownAccountError, UnknownReservationError } from "#service/errors";
import { pauseAccount } from "#service/kill-switch";
import { changeHold, getReservation, holdCredit, listAccountReservations } from "#service/reservations";
import { RecordingLog } from "#test/support/recording-log";
import { FakeBalanceSource, NOW } from "./fakes.ts";
import { MemoryAccountStore, servicesOf } from "./memory-account-store.ts";

/** Who may read and spend (issue 21): the account's `access` rule and a budget's `principals`, on fakes. */

const CI = "arn:aws:iam::111111111111:role/ci";
const CI_SESSION = "arn:aws:sts::111111111111:assumed-role/ci/build-42";
const INTRUDER = "arn:aws:iam::999999999999:user/mallory";
const config = parseConfig({
  accounts: [
    { id: "locked", access: { principals: [CI, "arn:aws:sts::111111111111:assumed-role/ci/*"] } },
    { id: "open" },
  ],
});
const DAILY = { limit: 25, period: "day", timeZone: "UTC", mode: "hard" } as const;

function setup() {
  const store = new MemoryAccountStore();
  const log = new RecordingLog();
  const services = { ...servicesOf(config, store, new FakeBalanceSource(100)), log };
  return { store, services, log };
}

const denial = (accountId: string, budgetId?: string) =>
  expect.objectContaining({ name: "AccessDeniedError", accountId, principal: INTRUDER, budgetId });

describe("the account's access rule", () => {
  it("lets in the principals it names, by pattern, and refuses others naming the account", () => {
    const { services } = setup();
    expect(resolveAccount(services, "locked", "/path/id", CI).id).toBe("locked");
    expect(resolveAccount(services, "locked", "/path/id", CI_SESSION).id).toBe("locked");
    expect(() => resolveAccount(services, "locked", "/path/id", INTRUDER)).toThrow(AccessDeniedError);
    expect(() => resolveAccount(services, "locked", "/path/id", `${CI}-evil`)).toThrow(AccessDeniedError);
  });

  it("without a rule, any caller may, as before; an unknown account is still 404 first", () => {
    const { services } = setup();
    expect(resolveAccount(services, "open", "/path/id", INTRUDER).id).toBe("open");
    expect(() => resolveAccount(services, "nobody", "/path/id", INTRUDER)).toThrow(UnknownAccountError);
  });

  it("applies to a reservation's account, from its id", () => {
    const { services } = setup();
    const id = reservationIdFor("locked", NOW);
    expect(resolveReservationAccount(services, id, CI).id).toBe("locked");
    expect(() => resolveReservationAccount(services, id, INTRUDER)).toThrow(AccessDeniedError);
    expect(() => resolveReservationAccount(services, "nonsense", CI)).toThrow(UnknownReservationError);
  });

  it("refuses every use case that reads or spends the account, before anything is written", async () => {
    const { services, store } = setup();
    const reader = new BalanceReader(services);
    const id = reservationIdFor("locked", NOW);
    const refusals = [
      getAccount(services, "locked", INTRUDER),
      accountAudit(services, "locked", { limit: 10 }, INTRUDER),
      pauseAccount(services, "locked", "stop", INTRUDER),
      listBudgets(services, "locked", INTRUDER),
      setBudget(services, "locked", "team", DAILY, INTRUDER),
      listAccountReservations(services, { accountId: "locked", limit: 10 }, INTRUDER),
      getReservation(services, id, INTRUDER),
      changeHold(services, id, { action: "release", caller: INTRUDER }, undefined),
      checkJobs(services, reader, { accountId: "locked", durationSeconds: 120 } as never, INTRUDER),
      holdCredit(
        services,
        reader,
        { accountId: "locked", amount: 5 } as never,
        { key: undefined, sentBody: {} },
        INTRUDER,
      ),
    ];
    for (const refusal of refusals) await expect(refusal).rejects.toEqual(denial("locked"));
    expect(await store.getBudget("locked", "team")).toBeUndefined();
    expect((await store.getAccountState("locked"))?.paused).toBeUndefined();
  });

  it("GET /v1/accounts lists only the accounts the caller may use", async () => {
    const { services } = setup();
    const ids = async (caller: string) =>
      (await listAccounts(services, caller)).accounts.map((a) => a.accountId);
    expect(await ids(CI)).toEqual(["locked", "open"]);
    expect(await ids(INTRUDER)).toEqual(["open"]);
  });
});

describe("a budget's principals", () => {
  const MARKETING = "arn:aws:iam::111111111111:role/marketing";

  async function withBudget() {
    const s = setup();
    await setBudget(s.services, "open", "marketing", { ...DAILY, principals: [MARKETING] }, MARKETING);
    await setBudget(s.services, "open", "shared", DAILY, MARKETING);
    return s;
  }

  it("refuses GET, PUT and DELETE of the budget to others, naming it, and leaves it out of their list", async () => {
    const { services, store } = await withBudget();
    await expect(getBudget(services, "open", "marketing", INTRUDER)).rejects.toEqual(
      denial("open", "marketing"),
    );
    await expect(
      setBudget(services, "open", "marketing", { ...DAILY, limit: 1e6 }, INTRUDER),
    ).rejects.toEqual(denial("open", "marketing"));
    await expect(deleteBudget(services, "open", "marketing", INTRUDER)).rejects.toEqual(
      denial("open", "marketing"),
    );
    expect((await store.getBudget("open", "marketing"))?.limit).toBe(25);
    expect((await listBudgets(services, "open", INTRUDER)).budgets.map((b) => b.id)).toEqual(["shared"]);
    expect((await listBudgets(services, "open", MARKETING)).budgets.map((b) => b.id)).toEqual([
      "marketing",
      "shared",
    ]);
    expect(await getBudget(services, "open", "marketing", MARKETING)).toMatchObject({ id: "marketing" });
  });

  it("authoriseBudget: a budget without principals lets anyone through; one with them only those", () => {
    const budget = newBudget("open", "marketing", { ...DAILY, principals: [MARKETING] }, NOW);
    expect(() => authoriseBudget(budget, MARKETING)).not.toThrow();
    expect(() => authoriseBudget(budget, INTRUDER)).toThrow(AccessDeniedError);
    expect(() => authoriseBudget(newBudget("open", "shared", DAILY, NOW), INTRUDER)).not.toThrow();
  });
});

describe("recordAccessDenial", () => {
  const request = { method: "GET", path: "/v1/accounts/locked" };

  it("writes an access-denied entry: by the principal, target account or budget, after the request", async () => {
    const { services, store } = setup();
    await recordAccessDenial(services, new AccessDeniedError("locked", INTRUDER), request);
    await recordAccessDenial(services, new AccessDeniedError("open", INTRUDER, "marketing"), {
      method: "DELETE",
      path: "/v1/accounts/open/budgets/marketing",
    });
    expect(store.audit).toEqual([
      {
        accountId: "locked",
        at: NOW.toISOString(),
        by: INTRUDER,
        action: "access-denied",
        target: "account",
        after: request,
      },
      {
        accountId: "open",
        at: NOW.toISOString(),
        by: INTRUDER,
        action: "access-denied",
        target: "budget:marketing",
        after: { method: "DELETE", path: "/v1/accounts/open/budgets/marketing" },
      },
    ]);
  });

  it("a failed write is logged, never raised (the caller is still answered 403)", async () => {
    const { services, store, log } = setup();
    store.appendAudit = async () => {
      throw new Error("table gone");
    };
    await expect(
      recordAccessDenial(services, new AccessDeniedError("locked", INTRUDER), request),
    ).resolves.toBeUndefined();
    expect(log.find("ERROR", "the access denial's audit entry was not written")).toHaveLength(1);
  });
});
