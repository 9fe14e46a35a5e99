import { resolveAccount } from "./accounts.ts";
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
 * releases and extends of holds already made go on. A pause while paused replaces the reason. Raises
 * UnknownAccountError.
 */
export const pauseAccount = useCase(
  async (services: Services, accountId: string, reason: string, caller: string): Promise<PauseAnswer> => {
    resolveAccount(services, accountId, "/path/id");
    const pause = { reason, at: services.now().toISOString(), by: caller };
    const state = await services.store.setPause(accountId, pause);
    services.log.warn("account paused", { accountId, reason, by: caller });
    return { accountId, paused: state.paused ?? pause };
  },
);

/** `POST /v1/accounts/{id}/resume`: turns the kill switch off (a resume of an unpaused account changes nothing). */
export const resumeAccount = useCase(
  async (services: Services, accountId: string, caller: string): Promise<PauseAnswer> => {
    resolveAccount(services, accountId, "/path/id");
    await services.store.setPause(accountId, undefined);
    services.log.info("account resumed", { accountId, by: caller });
    return { accountId, paused: null };
  },
);
