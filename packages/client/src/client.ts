import { randomUUID } from "node:crypto";
import createClient, { type Client } from "openapi-fetch";
import { ConflictError, errorFromResponse, UnreachableError, ValidationError } from "./errors.ts";
import type { paths } from "./generated/openapi.ts";
import { type RetryPolicy, withRetries } from "./retry.ts";
import { type SigningOptions, signingFetch } from "./signing.ts";
import type {
  AccountDetail,
  AccountSummary,
  Alert,
  AuditPage,
  Budget,
  BudgetRequest,
  CheckAnswer,
  CheckRequest,
  CommitRequest,
  Estimate,
  EstimateRequest,
  ExtendRequest,
  Health,
  PauseAnswer,
  ReleaseRequest,
  Reservation,
  ReservationPage,
  ReservationStatus,
  ReserveRequest,
  Snapshot,
  SpendQuery,
  SpendReport,
  TestAlert,
  WebhookStatus,
} from "./types.ts";

export const DEFAULT_URL = "http://127.0.0.1:3000";

export interface QuotaGuardClientOptions extends SigningOptions {
  /** The API's base URL; default `QUOTA_GUARD_URL`, else the local stack at http://127.0.0.1:3000. */
  url?: string;
  retry?: RetryPolicy;
  /** Per-request timeout in ms (default 10,000); a timed-out request counts as unreachable and is retried. */
  timeoutMs?: number;
}

/** What withReservation returns: the settled hold and what the job returned. */
export interface ReservationOutcome<R> {
  /** The hold, committed. */
  reservation: Reservation;
  /** The job's return value; undefined when an earlier call with the same key had already committed. */
  result: R | undefined;
  /** The idempotency key met an existing hold (a call again after a crash), so no second hold was made. */
  resumed: boolean;
}

/** What a job may return: `actualAmount` (in the account's unit) is committed instead of the held amount. */
// biome-ignore lint/suspicious/noConfusingVoidType: a job that returns nothing (`async () => {...}`) is typed Promise<void>.
export type JobResult = { actualAmount?: number } | undefined | void;

/** The hold for withReservation: a reservation request plus the idempotency key that makes it resumable. */
export type ReservationSpec = ReserveRequest & { idempotencyKey: string };

type Answer = { data?: unknown; error?: unknown; response: Response };

/**
 * A typed client of the Quota Guard API (docs/api.md). Requests and paths are typed from the generated
 * OpenAPI types; in AWS every request is signed with SigV4 for `execute-api`. Every method throws a
 * QuotaGuardError subclass for a non-2xx answer (errors.ts); transient failures (429, 502–504, unreachable)
 * are retried with backoff where a repeat is safe.
 */
export class QuotaGuardClient {
  /** The underlying openapi-fetch client, for routes without a helper: `client.api.GET("/v1/health")`. */
  readonly api: Client<paths>;
  readonly url: string;
  readonly #retry: RetryPolicy;

  constructor(options: QuotaGuardClientOptions = {}) {
    this.url = options.url ?? process.env.QUOTA_GUARD_URL ?? DEFAULT_URL;
    this.#retry = options.retry ?? {};
    const timeoutMs = options.timeoutMs ?? 10_000;
    const timed = (request: Request) => fetch(request, { signal: AbortSignal.timeout(timeoutMs) });
    this.api = createClient<paths>({ baseUrl: this.url, fetch: signingFetch(this.url, options, timed) });
  }

  /** Sends one request (retried when `retry`), returning the answer's body or throwing its typed error. */
  async #send<T>(request: () => Promise<Answer>, retry = true): Promise<{ body: T; status: number }> {
    const once = async () => {
      let answer: Answer;
      try {
        answer = await request();
      } catch (error) {
        // fetch fails with a TypeError on a network error, and with a TimeoutError at `timeoutMs`; anything
        // else (no AWS credentials, say) is not the service's fault and is not retried.
        if (error instanceof TypeError || (error instanceof Error && error.name === "TimeoutError")) {
          throw new UnreachableError(this.url, error);
        }
        throw error;
      }
      if (!answer.response.ok) {
        throw errorFromResponse(answer.response.status, answer.response.headers, answer.error);
      }
      return { body: answer.data as T, status: answer.response.status };
    };
    return retry ? withRetries(once, this.#retry) : once();
  }

  /** The cost of a job spec (or `{jobs}`) from a rate card; no account involved. Throws ValidationError (422) for a job the card does not price. */
  async estimate(request: EstimateRequest): Promise<Estimate> {
    return (await this.#send<Estimate>(() => this.api.POST("/v1/estimates", { body: request }))).body;
  }

  /** May this job start now? A "no" is `allowed: false`, never an error. Throws NotFoundError for an unknown account. */
  async check(request: CheckRequest): Promise<CheckAnswer> {
    return (await this.#send<CheckAnswer>(() => this.api.POST("/v1/checks", { body: request }))).body;
  }

  async #reserve(request: ReserveRequest, idempotencyKey: string) {
    const { body, status } = await this.#send<Reservation>(() =>
      this.api.POST("/v1/reservations", {
        body: request,
        params: { header: { "Idempotency-Key": idempotencyKey } },
      }),
    );
    return { reservation: body, created: status === 201 };
  }

  /**
   * Holds credit for a job: an explicit `amount` or the estimate of a job spec. Always sent with an
   * `Idempotency-Key` (a random one unless given), so a retried request never holds twice.
   * Throws InsufficientBalanceError (409) when it does not fit, ConflictError `balance-unknown` before the
   * account's first reading.
   */
  async reserve(request: ReserveRequest, options: { idempotencyKey?: string } = {}): Promise<Reservation> {
    return (await this.#reserve(request, options.idempotencyKey ?? randomUUID())).reservation;
  }

  /**
   * Ends a hold. Safe to repeat: a hold already ended the same way (a retry after a lost answer) answers
   * the reservation as it is; ending it the other way throws ConflictError (`reservationStatus`).
   */
  /**
   * One key for every retry of this call: the API answers a repeat with the stored answer, so a lost answer
   * retried never counts a partial commit twice. A repeated settle is answered 200 by the API itself; a
   * conflicting one (another amount, a released hold) surfaces as ConflictError.
   */
  async #end(
    id: string,
    action: "commit" | "release",
    body: CommitRequest | ReleaseRequest = {},
  ): Promise<Reservation> {
    const path = action === "commit" ? "/v1/reservations/{id}/commit" : "/v1/reservations/{id}/release";
    const header = { "Idempotency-Key": randomUUID() };
    return (
      await this.#send<Reservation>(() => this.api.POST(path, { params: { path: { id }, header }, body }))
    ).body;
  }

  /** Ends a hold as spent, at `actualAmount` (in the account's unit) when given, else at the held amount. */
  commit(id: string, options: CommitRequest = {}): Promise<Reservation> {
    return this.#end(id, "commit", options);
  }

  /**
   * Returns a hold's credit to the account. `reason` is recorded on the hold; `insufficient_credit` (HeyGen
   * refused the job for lack of credit, e.g. a 402 at create) also makes the guard read the balance at once.
   */
  release(id: string, options: ReleaseRequest = {}): Promise<Reservation> {
    return this.#end(id, "release", options);
  }

  /**
   * Raises a held reservation's `amount` (the new total, taken from available atomically) and/or moves its
   * expiry to `ttlSeconds` from now. InsufficientBalanceError when the raise does not fit.
   */
  async extend(
    id: string,
    request: ExtendRequest,
    options: { idempotencyKey?: string } = {},
  ): Promise<Reservation> {
    const header = { "Idempotency-Key": options.idempotencyKey ?? randomUUID() };
    return (
      await this.#send<Reservation>(() =>
        this.api.POST("/v1/reservations/{id}/extend", { params: { path: { id }, header }, body: request }),
      )
    ).body;
  }

  /**
   * An account's reservations, newest first, a page at a time (`limit` 1–100); pass `nextCursor` on as `cursor`.
   * `labels` keeps only the holds with every one of them (`label.<key>=<value>`).
   */
  async reservations(
    options: {
      accountId?: string;
      status?: ReservationStatus;
      limit?: number;
      cursor?: string;
      labels?: Record<string, string>;
    } = {},
  ): Promise<ReservationPage> {
    const { labels, ...rest } = options;
    const filters = Object.fromEntries(
      Object.entries(labels ?? {}).map(([key, value]) => [`label.${key}`, value]),
    );
    const query = { ...rest, ...filters };
    return (await this.#send<ReservationPage>(() => this.api.GET("/v1/reservations", { params: { query } })))
      .body;
  }

  /** One reservation; NotFoundError if unknown. */
  async reservation(id: string): Promise<Reservation> {
    return (
      await this.#send<Reservation>(() => this.api.GET("/v1/reservations/{id}", { params: { path: { id } } }))
    ).body;
  }

  /** `{status: "ok", version}` when the API answers (a post-deploy check's first step). */
  async health(): Promise<Health> {
    return (await this.#send<Health>(() => this.api.GET("/v1/health"))).body;
  }

  /**
   * Whether the HeyGen webhook secret is set (`secretSet`, `secrets`, `readError`); the secret itself is never
   * answered. Served by the webhook function in AWS, which alone reads that secret.
   */
  async webhookStatus(): Promise<WebhookStatus> {
    return (await this.#send<WebhookStatus>(() => this.api.GET("/v1/webhooks/heygen/status"))).body;
  }

  /**
   * Sends a marked test alert (default `critical`, so it passes the SMS filter) through SNS to every
   * subscriber; changes no alert level. Not retried: a repeat would send a second one.
   */
  async testAlert(accountId?: string, severity?: "info" | "warning" | "critical"): Promise<TestAlert> {
    const id = await this.#accountId(accountId);
    const answer = await this.#send<{ alert: TestAlert }>(
      () =>
        this.api.POST("/v1/accounts/{id}/test-alert", {
          params: { path: { id } },
          body: severity ? { severity } : {},
        }),
      false,
    );
    return answer.body.alert;
  }

  /** Every configured account's latest balance, reserved, available and alert level. */
  async accounts(): Promise<AccountSummary[]> {
    return (await this.#send<{ accounts: AccountSummary[] }>(() => this.api.GET("/v1/accounts"))).body
      .accounts;
  }

  /** The account a request is about: the given one, or the only one configured. */
  async #accountId(accountId: string | undefined): Promise<string> {
    if (accountId !== undefined) return accountId;
    const ids = (await this.accounts()).map((a) => a.accountId);
    if (ids.length === 1) return ids[0] as string;
    throw new ValidationError(400, {
      type: "about:blank#account-required",
      title: "Account required",
      status: 400,
      detail: `Name the account: ${ids.join(", ")}.`,
      errors: [{ pointer: "/accountId", detail: `one of ${ids.join(", ")}` }],
    });
  }

  /**
   * One account's balance: latest snapshot, reserved, available (remaining − reserved − reserveFloor), alert
   * level and forecast. Without `accountId`, the only configured account. NotFoundError if unknown.
   */
  async balance(accountId?: string): Promise<AccountDetail> {
    const id = await this.#accountId(accountId);
    return (
      await this.#send<AccountDetail>(() => this.api.GET("/v1/accounts/{id}", { params: { path: { id } } }))
    ).body;
  }

  /** Balance snapshots, newest first; `since`/`until` ISO 8601, `limit` 1–1000 (default 100). */
  async history(
    accountId?: string,
    query: { since?: string; until?: string; limit?: number } = {},
  ): Promise<Snapshot[]> {
    const id = await this.#accountId(accountId);
    const answer = await this.#send<{ snapshots: Snapshot[] }>(() =>
      this.api.GET("/v1/accounts/{id}/history", { params: { path: { id }, query } }),
    );
    return answer.body.snapshots;
  }

  /** The alert log, newest first (`limit` 1–1000, default 50). */
  async alerts(accountId?: string, query: { limit?: number } = {}): Promise<Alert[]> {
    const id = await this.#accountId(accountId);
    const answer = await this.#send<{ alerts: Alert[] }>(() =>
      this.api.GET("/v1/accounts/{id}/alerts", { params: { path: { id }, query } }),
    );
    return answer.body.alerts;
  }

  /** The account's budgets, each with what it has used this period. */
  async budgets(accountId?: string): Promise<Budget[]> {
    const id = await this.#accountId(accountId);
    const path = { params: { path: { id } } };
    return (await this.#send<{ budgets: Budget[] }>(() => this.api.GET("/v1/accounts/{id}/budgets", path)))
      .body.budgets;
  }

  /** Creates the budget (`created: true`) or changes its settings; ValidationError names a bad field. */
  async setBudget(
    budgetId: string,
    settings: BudgetRequest,
    accountId?: string,
  ): Promise<{ budget: Budget; created: boolean }> {
    const id = await this.#accountId(accountId);
    const answer = await this.#send<Budget>(() =>
      this.api.PUT("/v1/accounts/{id}/budgets/{budgetId}", {
        params: { path: { id, budgetId } },
        body: settings,
      }),
    );
    return { budget: answer.body, created: answer.status === 201 };
  }

  /** One budget; NotFoundError if the account has none of that id. */
  async budget(budgetId: string, accountId?: string): Promise<Budget> {
    const id = await this.#accountId(accountId);
    const path = { params: { path: { id, budgetId } } };
    return (await this.#send<Budget>(() => this.api.GET("/v1/accounts/{id}/budgets/{budgetId}", path))).body;
  }

  /**
   * Deletes a budget; ConflictError (`budget-in-use`) while holds are open through it. Not retried: a retry
   * after a lost answer would meet NotFoundError for the delete that was made.
   */
  async deleteBudget(budgetId: string, accountId?: string): Promise<void> {
    const id = await this.#accountId(accountId);
    const path = { params: { path: { id, budgetId } } };
    await this.#send<unknown>(() => this.api.DELETE("/v1/accounts/{id}/budgets/{budgetId}", path), false);
  }

  /** Turns the account's kill switch on: checks deny with `reason`, reserves get ConflictError (`paused`). */
  async pause(reason: string, accountId?: string): Promise<PauseAnswer> {
    const id = await this.#accountId(accountId);
    const request = { params: { path: { id } }, body: { reason } };
    return (await this.#send<PauseAnswer>(() => this.api.POST("/v1/accounts/{id}/pause", request), false))
      .body;
  }

  /** Turns the kill switch off. */
  async resume(accountId?: string): Promise<PauseAnswer> {
    const id = await this.#accountId(accountId);
    const request = { params: { path: { id } } };
    return (await this.#send<PauseAnswer>(() => this.api.POST("/v1/accounts/{id}/resume", request), false))
      .body;
  }

  /**
   * Turns one budget's kill switch on: checks and reserves through it are refused (`paused`, with `reason`);
   * the account and its other budgets go on. NotFoundError if the account has no such budget.
   */
  async pauseBudget(budgetId: string, reason: string, accountId?: string): Promise<Budget> {
    const id = await this.#accountId(accountId);
    const request = { params: { path: { id, budgetId } }, body: { reason } };
    return (
      await this.#send<Budget>(
        () => this.api.POST("/v1/accounts/{id}/budgets/{budgetId}/pause", request),
        false,
      )
    ).body;
  }

  /** Turns one budget's kill switch off. */
  async resumeBudget(budgetId: string, accountId?: string): Promise<Budget> {
    const id = await this.#accountId(accountId);
    const request = { params: { path: { id, budgetId } } };
    return (
      await this.#send<Budget>(
        () => this.api.POST("/v1/accounts/{id}/budgets/{budgetId}/resume", request),
        false,
      )
    ).body;
  }

  /** Who changed what (budgets, pauses, resumes), newest first; pass `cursor` (a page's `nextCursor`) for more. */
  async audit(accountId?: string, query: { limit?: number; cursor?: string } = {}): Promise<AuditPage> {
    const id = await this.#accountId(accountId);
    const request = { params: { path: { id }, query } };
    return (await this.#send<AuditPage>(() => this.api.GET("/v1/accounts/{id}/audit", request))).body;
  }

  /**
   * Committed spend of `[from, to)` (ISO; default the 30 days to now, at most 92 days) summed by `groupBy`:
   * `label:<key>`, `budget`, `principal`, `jobType`, `day` (default), `week` or `month`; amounts in `unit`.
   * With `format: "csv"` the API's CSV (header `key,amount,count,unit`) as text. ValidationError names the
   * query parameter (`/query/groupBy`, `/query/from`) it refuses.
   */
  async spend(accountId?: string, query?: SpendQuery): Promise<SpendReport>;
  async spend(accountId: string | undefined, query: SpendQuery, format: "csv"): Promise<string>;
  async spend(accountId?: string, query: SpendQuery = {}, format?: "csv"): Promise<SpendReport | string> {
    const id = await this.#accountId(accountId);
    const params = { path: { id }, query };
    if (format !== "csv") {
      return (await this.#send<SpendReport>(() => this.api.GET("/v1/accounts/{id}/spend", { params }))).body;
    }
    const header = { accept: "text/csv" };
    const csv = () => this.api.GET("/v1/accounts/{id}/spend", { params, headers: header, parseAs: "text" });
    return (await this.#send<string>(csv)).body;
  }

  /**
   * Check, then spend, in one call: holds credit for `spec` under `spec.idempotencyKey`, runs `job` with the
   * hold, then commits at the `actualAmount` the job returns (else the held amount), or releases the hold if
   * the job throws (and rethrows the job's error). Transient failures of the API are retried with backoff.
   *
   * Calling again with the same key after a crash meets the same hold (no second one): a hold still held runs
   * the job again — so give the job `reservation.id` as its own idempotency key (HeyGen's `Idempotency-Key`,
   * or `callback_id`) — and a hold already committed returns without running the job.
   *
   * Throws InsufficientBalanceError when the hold does not fit (the job never runs), ConflictError when the
   * key's hold was already released or expired (use a new key), and the job's own error after releasing.
   */
  async withReservation<R extends JobResult>(
    spec: ReservationSpec,
    job: (reservation: Reservation) => Promise<R>,
  ): Promise<ReservationOutcome<R>> {
    const { idempotencyKey, ...request } = spec;
    const { reservation, created } = await this.#reserve(request as ReserveRequest, idempotencyKey);
    const resumed = !created;
    if (reservation.status === "committed") return { reservation, result: undefined, resumed };
    if (reservation.status !== "held") {
      throw new ConflictError(409, {
        type: "about:blank#reservation-not-held",
        title: "Reservation not held",
        status: 409,
        detail: `The hold for idempotency key "${idempotencyKey}" is ${reservation.status}; use a new key.`,
        reservationStatus: reservation.status,
      });
    }
    let result: R;
    try {
      result = await job(reservation);
    } catch (error) {
      // The hold would expire by itself at its TTL; a failed release must not hide the job's error.
      await this.release(reservation.id).catch(() => undefined);
      throw error;
    }
    const actualAmount = result?.actualAmount;
    const committed = await this.commit(reservation.id, actualAmount === undefined ? {} : { actualAmount });
    return { reservation: committed, result, resumed };
  }
}
