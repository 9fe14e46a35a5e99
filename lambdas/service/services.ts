import type { AccountConfig, QuotaGuardConfig } from "#config/config";
import type { Alert } from "#core/account";
import type { AlertOutlet } from "#core/alert-delivery";
import type { Thresholds } from "#core/alert-policy";
import type { BalanceSnapshot } from "#core/balance";
import type { TextSection } from "#core/digest-text";
import type { Forecast } from "#core/forecast";
import type { RateCardRegistry } from "#core/rate-card";
import type { SpendAlerts } from "./spend-alerts.ts";
import type { AccountStore } from "./store-port.ts";

/**
 * The ports the use cases depend on, owned here: AccountStore (store-port.ts, made of the *-port.ts files), BalanceSource, VideoSource,
 * TaskResultSender, AlertPublisher and Log. Adapters implement them (lambdas/store, lambdas/heygen,
 * lambdas/notify, runtime/sfn-task-results.ts) and runtime/wiring.ts plugs them in; no use case names one.
 */

/** Reads one account's balance from HeyGen (the HeyGen client, or a stand-in in narrow unit tests). */
export interface BalanceSource {
  getBalance(accountId: string): Promise<BalanceSnapshot>;
}

/** Reads what HeyGen reports about a finished video (the HeyGen client). */
export interface VideoSource {
  /** Seconds, or undefined when HeyGen reports no duration. Throws HeyGenError. */
  getVideoDuration(videoId: string): Promise<number | undefined>;
}

/**
 * Sends a waiting Step Functions task its result (SendTaskSuccess / SendTaskFailure in AWS; in the local
 * stack, whatever runs the state machine, e.g. aws-local-stepfunctions in the tests).
 */
export interface TaskResultSender {
  succeed(taskToken: string, output: unknown): Promise<void>;
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

/** What an alert is told with, beside the alert itself: the facts a subscriber needs to act on it. */
export interface MessageContext {
  /** The snapshot the alert was raised on (for monitor alerts: the last known one, if any). */
  snapshot?: BalanceSnapshot;
  forecast?: Forecast;
  thresholds: Thresholds;
  /** Total of the holds counting against the balance. */
  reserved?: number;
  /** The failure behind a monitor_degraded alert (the alert state's `lastFailure`). */
  failure?: { code: string; message: string; at?: string; until?: string };
  /**
   * An alert's own texts, composed by the use case that raised it (the digest: core/digest-text.ts; the spend
   * alerts: core/spend-alert-text.ts): its sections lead the email and the chat card, `sms` replaces the SMS,
   * and `steps` / `short` replace the advice.
   */
  summary?: { sections: TextSection[]; sms?: string; steps?: string[]; short?: string };
}

/**
 * Delivers one alert to its outlets (SNS, EventBridge: notify/alert-outlets.ts fans out to the adapters, each
 * an AlertPublisher of one outlet), or to `outlets` only (an owed alert put again). Throws when it was
 * refused: OutletsRefusedError when the first outlet accepted it and these refused it, any other error when
 * nothing accepted it.
 */
export interface AlertPublisher {
  publish(
    alert: Alert,
    context: MessageContext,
    outlets?: readonly AlertOutlet[],
  ): Promise<{ messageId: string }>;
}

/** Some outlets refused an alert the first outlet accepted: the use case owes it to them (service/alert-delivery.ts). */
export class OutletsRefusedError extends Error {
  override readonly name = "OutletsRefusedError";
  constructor(
    /** The outlets that refused it, in the fan-out's order. */
    readonly outlets: AlertOutlet[],
    message: string,
  ) {
    super(message);
  }
}

/** Structured log sink; Powertools Logger satisfies it. Never pass a secret. */
export interface Log {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/**
 * Everything the use cases need, wired once per process by runtime/wiring.ts, for the Lambda entry points, the
 * local stack and the tests alike; only where the adapters point differs (AWS, or DynamoDB Local, fauxqs and
 * the HeyGen sandbox).
 */
export interface Services {
  config: QuotaGuardConfig;
  store: AccountStore;
  rateCards: RateCardRegistry;
  balanceSource(account: AccountConfig): BalanceSource;
  /** The same HeyGen client, for `GET /v3/videos/{id}` when a success event carries no duration. */
  videoSource?(account: AccountConfig): VideoSource;
  /**
   * The HeyGen webhook endpoint secret (`whsec_…`): Secrets Manager in AWS, HEYGEN_WEBHOOK_SECRET locally.
   * Undefined or empty: no webhook verifies (every delivery answers 401).
   */
  webhookSecret?(): Promise<string | undefined>;
  /** Sends results to tasks waiting on a hold's video; without one, none is sent (and none can wait). */
  taskResults?: TaskResultSender;
  /**
   * Publishes alerts (every reading's, and test alerts); without one, planned alerts are logged as failed and
   * planned again next reading.
   */
  publisher?: AlertPublisher;
  /**
   * Plans a good reading's spend alerts (`unexplained_spend`, `estimate_drift`: service/spend-alerts.ts) after
   * its balance's. The poller's wiring sets it: those alerts judge a day of readings, so the schedule's every
   * five minutes is soon enough, and a refresh in the API or the webhook function neither pays their two
   * Queries nor bundles them.
   */
  spendAlerts?: SpendAlerts;
  now(): Date;
  log: Log;
}

export const silentLog: Log = { info() {}, warn() {}, error() {} };
