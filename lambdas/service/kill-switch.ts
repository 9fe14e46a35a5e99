import type { AccountConfig } from "#config/config";
import type { AccountState } from "#core/account";
import { killSwitchAlert } from "#core/kill-switch-alert";
import { resolveAccount } from "./accounts.ts";
import { deliver } from "./alert-delivery.ts";
import { auditRecord } from "./audit.ts";
import type { Services } from "./services.ts";
import { useCase } from "./use-case.ts";

/** What `POST /v1/accounts/{id}/pause` and `/resume` answer. */
export interface PauseAnswer {
  accountId: string;
  paused: { reason: string; at: string; by: string } | null;
}

/**
 * `POST /v1/accounts/{id}/pause`: the account's kill switch. From this write on, checks deny with `reason`
 * and reserves answer 409 `paused` (refused in the reserve's own transaction, so none slips in); commits,
 * releases and extends of holds already made go on. Subscribers are told at once (a `paused` warning). A
 * pause while paused replaces the reason, and is audited and told again. The answer, the audit entry and the
 * alert carry the same time. Raises UnknownAccountError, AccessDeniedError.
 */
export const pauseAccount = /* @__PURE__ */ useCase(
  async (services: Services, accountId: string, reason: string, caller: string): Promise<PauseAnswer> => {
    const account = resolveAccount(services, accountId, "/path/id", caller);
    const now = services.now();
    const pause = { reason, at: now.toISOString(), by: caller };
    const before = (await services.store.getAccountState(accountId))?.paused;
    const audit = auditRecord(services, {
      accountId,
      by: caller,
      action: "paused",
      target: "account",
      ...(before ? { before } : {}),
      after: pause,
      at: pause.at,
    });
    const state = await services.store.setPause(accountId, pause, audit);
    services.log.warn("account paused", { accountId, reason, by: caller });
    await tell(services, account, state, { alertType: "paused", by: caller, reason }, now);
    return { accountId, paused: state.paused ?? pause };
  },
);

/**
 * `POST /v1/accounts/{id}/resume`: turns the kill switch off and tells subscribers (`resumed`, info). A
 * resume of an account that is not paused changes nothing and tells no one.
 */
export const resumeAccount = /* @__PURE__ */ useCase(
  async (services: Services, accountId: string, caller: string): Promise<PauseAnswer> => {
    const account = resolveAccount(services, accountId, "/path/id", caller);
    const before = (await services.store.getAccountState(accountId))?.paused;
    // Nothing to turn off: no write, no entry, no alert.
    if (before === undefined) return { accountId, paused: null };
    const now = services.now();
    const audit = auditRecord(services, {
      accountId,
      by: caller,
      action: "resumed",
      target: "account",
      before,
      at: now.toISOString(),
    });
    const state = await services.store.setPause(accountId, undefined, audit);
    services.log.info("account resumed", { accountId, by: caller });
    await tell(services, account, state, { alertType: "resumed", by: caller }, now);
    return { accountId, paused: null };
  },
);

/**
 * Publishes the switch's alert and records it in the alert log. The switch stands whatever happens here: a
 * publish SNS refuses is logged as failed (not sent again; the account view shows the pause), and any other
 * failure is logged, never answered.
 */
async function tell(
  services: Services,
  account: AccountConfig,
  /** The account's state after the switch, as the store answered it. */
  state: AccountState,
  change: { alertType: "paused" | "resumed"; by: string; reason?: string },
  now: Date,
): Promise<void> {
  try {
    const alert = killSwitchAlert({
      accountId: account.id,
      ...change,
      recordedLevel: state.alert.level,
      now,
    });
    await deliver(services, alert, {
      ...(state.latest ? { snapshot: state.latest } : {}),
      thresholds: account.thresholds,
    });
  } catch (error) {
    services.log.error(`the ${change.alertType} alert failed; the kill switch stands`, {
      accountId: account.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
