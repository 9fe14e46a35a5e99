import type { AccountPause, AccountState } from "#core/account";
import type { AuditRecord } from "./audit-port.ts";

/** The account's state item: the latest balance, alert state and what is held against it. */
export interface AccountStateStore {
  /** The account's state in one strongly consistent read; undefined before its first poll. */
  getAccountState(accountId: string): Promise<AccountState | undefined>;
  /** The states of the given accounts that have one, keyed by account id. */
  listAccountStates(accountIds: readonly string[]): Promise<Map<string, AccountState>>;
  /**
   * Turns the account's kill switch on (`pause`) or off (undefined), in one write that touches nothing else
   * (not the version: a pause races with no reading or hold change), with `audit` in the same transaction.
   * Returns the state after it.
   */
  setPause(accountId: string, pause: AccountPause | undefined, audit?: AuditRecord): Promise<AccountState>;
}
