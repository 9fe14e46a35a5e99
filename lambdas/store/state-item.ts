import { type AccountState, INITIAL_ALERT_STATE } from "#core/account";
import { keys } from "#store/table";

export function stateKey(accountId: string) {
  return { pk: keys.account(accountId), sk: keys.state() };
}

/** The account state held by a state item (the keys stripped, missing parts at their empty values). */
export function toAccountState(item: Record<string, unknown>): AccountState {
  const { pk: _pk, sk: _sk, ...state } = item;
  return {
    alert: INITIAL_ALERT_STATE,
    reserved: 0,
    headroom: 0,
    openHolds: 0,
    version: 0,
    ...state,
  } as AccountState;
}

/** TTL attribute value: epoch seconds `retentionDays` after `from`. */
export function expiryEpochSeconds(from: Date, retentionDays: number): number {
  return Math.floor(from.getTime() / 1000) + retentionDays * 86_400;
}

/**
 * A copy without undefined values, so that any document client (with or without removeUndefinedValues)
 * can write it.
 */
export function definedOnly<T>(value: T): T {
  if (Array.isArray(value)) return value.map(definedOnly) as T;
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries.map(([k, v]) => [k, definedOnly(v)])) as T;
}
