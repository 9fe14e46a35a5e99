import type { AccountConfig } from "#config/config";
import type { AccountState } from "#core/account";
import type { BalanceSnapshot } from "#core/balance";
import { accountPool, balancePool } from "#core/spend-pool";
import { type PollResult, pollAccount } from "./poll-account.ts";
import type { Services } from "./services.ts";

export interface RefreshOutcome {
  state: AccountState | undefined;
  status: PollResult["status"];
  /** Why HeyGen could not be read, when it could not. */
  error?: { code: string; message: string };
}

export interface BalanceReading {
  state: AccountState | undefined;
  /** Set when the recorded balance cannot be used (missing, or stale and the refresh failed). */
  unknownReason?: string;
  /** The age of the balance used, in seconds (null when none). */
  ageSeconds: number | null;
  refreshed: boolean;
}

/**
 * Reads an account's recorded balance, refreshing it from HeyGen when it is older than
 * `checks.maxBalanceAgeSeconds`. Concurrent readers in this process share one refresh; across processes
 * `minRefreshIntervalSeconds` (tracked in the state item) bounds how often HeyGen is asked.
 */
/**
 * What prices a job for an account: the balance's unit, billing type and pool (the default card depends on
 * all three; a job of another pool is refused).
 */
export type BalanceKind = Pick<BalanceSnapshot, "unit" | "billingType" | "spendPool">;

export class BalanceReader {
  private readonly inflight = new Map<string, Promise<RefreshOutcome>>();
  private readonly kinds = new Map<string, BalanceKind>();

  constructor(private readonly services: Services) {}

  /**
   * The unit and billing type of the account's balance as last read by this process. A reserve prices against
   * them without a read; its write re-checks the unit and the balance's age, so a wrong guess costs a retry,
   * never a hold.
   */
  lastKnownKind(accountId: string): BalanceKind | undefined {
    return this.kinds.get(accountId);
  }

  async read(account: AccountConfig): Promise<BalanceReading> {
    const reading = await this.readFresh(account);
    const latest = reading.state?.latest;
    if (latest !== undefined)
      this.kinds.set(account.id, {
        unit: latest.unit,
        billingType: latest.billingType,
        ...(latest.spendPool ? { spendPool: latest.spendPool } : {}),
      });
    return reading;
  }

  /** The earliest observation time a balance may have and still count as fresh. */
  freshFrom(): string {
    const maxAgeMs = this.services.config.checks.maxBalanceAgeSeconds * 1000;
    return new Date(this.services.now().getTime() - maxAgeMs).toISOString();
  }

  private async readFresh(account: AccountConfig): Promise<BalanceReading> {
    const state = await this.services.store.getAccountState(account.id);
    if (this.isFresh(state) && this.inConfiguredPool(state, account)) {
      return { state, ageSeconds: this.ageSeconds(state), refreshed: false };
    }

    // A refresh claims its reading (lastRefreshAt) before it calls HeyGen: one running in this process is
    // joined; one that ran (or runs elsewhere) within minRefreshIntervalSeconds is not repeated, but the state
    // it may just have written is read again.
    if (!this.inflight.has(account.id) && this.refreshedRecently(state)) {
      const latest = (await this.services.store.getAccountState(account.id)) ?? state;
      return {
        state: latest,
        ...(this.isFresh(latest) ? {} : { unknownReason: this.staleReason(latest) }),
        ageSeconds: this.ageSeconds(latest),
        refreshed: false,
      };
    }
    const { state: refreshedState, status } = await this.refreshOnce(account);
    const fresh = this.isFresh(refreshedState);
    const why =
      status === "deferred" ? "HeyGen asked us to wait (retryNotBefore)" : "the refresh from HeyGen failed";
    return {
      state: refreshedState ?? state,
      ...(fresh ? {} : { unknownReason: `${this.staleReason(refreshedState ?? state)}; ${why}` }),
      ageSeconds: this.ageSeconds(refreshedState ?? state),
      refreshed: true,
    };
  }

  /**
   * `POST /refresh`: one reading now, through the same poll as the schedule (record, level, alerts,
   * failures). Not more often than `minRefreshIntervalSeconds` (nor while another reading runs, nor before
   * HeyGen's `retryNotBefore`): then the recorded state is the answer, with `refreshed: false` and the reason.
   */
  async refreshOnRequest(account: AccountConfig): Promise<
    RefreshOutcome & {
      refreshed: boolean;
      reason?: "minRefreshIntervalSeconds" | "heygen-error" | "retryNotBefore";
    }
  > {
    const outcome = await this.refreshOnce(account);
    if (outcome.status === "duplicate")
      return { ...outcome, refreshed: false, reason: "minRefreshIntervalSeconds" };
    if (outcome.status === "deferred") return { ...outcome, refreshed: false, reason: "retryNotBefore" };
    return outcome.error === undefined
      ? { ...outcome, refreshed: true }
      : { ...outcome, refreshed: false, reason: "heygen-error" };
  }

  /** Refreshes from HeyGen once for all concurrent callers in this process (across processes, the claim). */
  refreshOnce(account: AccountConfig): Promise<RefreshOutcome> {
    const running = this.inflight.get(account.id);
    if (running) return running;
    const refresh = pollAccount(this.services, account, { refresh: true })
      .then(async (result) => ({
        state: await this.services.store.getAccountState(account.id),
        status: result.status,
        ...(result.error ? { error: result.error } : {}),
      }))
      .finally(() => this.inflight.delete(account.id));
    this.inflight.set(account.id, refresh);
    return refresh;
  }

  private ageSeconds(state: AccountState | undefined): number | null {
    if (!state?.latest) return null;
    return Math.max(
      0,
      Math.round((this.services.now().getTime() - Date.parse(state.latest.observedAt)) / 1000),
    );
  }

  private isFresh(state: AccountState | undefined): boolean {
    const age = this.ageSeconds(state);
    return age !== null && age <= this.services.config.checks.maxBalanceAgeSeconds;
  }

  /**
   * Whether the recorded balance counts the pool the account is configured to spend: after `spendPool`
   * changes, the balance recorded in the old pool is read again at once rather than judged until it ages out.
   */
  private inConfiguredPool(state: AccountState | undefined, account: AccountConfig): boolean {
    return !state?.latest || balancePool(state.latest, account) === accountPool(account);
  }

  private refreshedRecently(state: AccountState | undefined): boolean {
    if (!state?.lastRefreshAt) return false;
    const sinceMs = this.services.now().getTime() - Date.parse(state.lastRefreshAt);
    return sinceMs < this.services.config.checks.minRefreshIntervalSeconds * 1000;
  }

  private staleReason(state: AccountState | undefined): string {
    const age = this.ageSeconds(state);
    return age === null
      ? "no balance has been read yet"
      : `the recorded balance is ${age} s old (checks.maxBalanceAgeSeconds is ${this.services.config.checks.maxBalanceAgeSeconds})`;
  }
}
