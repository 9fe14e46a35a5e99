import type { components } from "./generated/openapi.ts";

/**
 * The shapes the client sends and receives. Requests come from the generated OpenAPI types. The OpenAPI
 * document describes most answers only as objects, so their shapes are written here, and
 * test/unit/client/answer-types.test.ts holds them to the types the API answers with (checked by tsc); when
 * the document describes an answer, its type here becomes an alias of the generated one.
 */

type Schemas = components["schemas"];

/** One job, or `{jobs: [...]}`, plus an optional `rateCard` (README "Estimates: job spec and rate cards"). */
export type EstimateRequest = Schemas["EstimateRequest"];
export type Estimate = Schemas["Estimate"];
/** A job spec plus an optional `accountId` (optional when one account is configured). */
export type CheckRequest = Schemas["CheckRequest"];
/** Hold an explicit `amount` (in the account's unit), or the estimate of a job spec. */
export type ReserveRequest = Schemas["AmountReservationRequest"] | Schemas["JobReservationRequest"];
export type CommitRequest = Schemas["CommitRequest"];
export type ExtendRequest = Schemas["ExtendRequest"];

export type Unit = "usd" | "credits";

/** `POST /v1/checks`: a "no" is an answer (`allowed: false`), not an error. Amounts in `unit`. */
export interface CheckAnswer {
  allowed: boolean;
  decision: "allow" | "deny" | "unknown";
  reason: string;
  accountId: string;
  unit: Unit;
  required: number;
  remaining: number | null;
  reserved: number;
  available: number | null;
  remainingAfter: number | null;
  shortfall: number | null;
  balanceObservedAt: string | null;
  balanceAgeSeconds: number | null;
  estimate: Estimate;
  warnings: string[];
}

export type ReservationStatus = "held" | "committed" | "released" | "expired";

/** A credit hold. `amount` and `actualAmount` in `unit`; times ISO 8601. */
export interface Reservation {
  id: string;
  accountId: string;
  amount: number;
  unit?: Unit;
  status: ReservationStatus;
  /** Σ committed parts. */
  committedAmount: number;
  /** What still counts as held: amount − committedAmount while held, else 0. */
  heldAmount: number;
  createdAt: string;
  expiresAt: string;
  committedAt?: string;
  actualAmount?: number;
  releasedAt?: string;
  estimate?: Estimate;
  /** The job spec the estimate priced (webhooks price the reported duration with it). */
  spec?: unknown;
  /** Set when a HeyGen webhook committed the hold: where its amount came from. */
  commitBasis?: "event-duration" | "video-duration" | "held-amount";
}

/** A normalised HeyGen balance reading. */
export interface Snapshot {
  accountId: string;
  observedAt: string;
  source: "v3" | "v2";
  billingType: "wallet" | "subscription" | "usage_based" | "legacy_quota";
  unit: Unit;
  remaining: number;
  pools: { name: string; remaining: number; unit: Unit; resetsAt?: string }[];
  plan?: string;
  warnings?: string[];
  [field: string]: unknown;
}

export type AlertLevel = "unknown" | "ok" | "warning" | "critical" | "exhausted";

/** `GET /v1/accounts`: one account's latest balance, holds and alert level. */
export interface AccountSummary {
  accountId: string;
  unit: Unit | null;
  remaining: number | null;
  reserved: number;
  reserveFloor: number;
  available: number | null;
  activeReservations: number;
  alertLevel: AlertLevel;
  monitorDegraded: boolean;
  consecutiveFailures: number;
  lastFailure: { at: string; code: string; message: string } | null;
  /** While HeyGen asked the guard to wait (a long `Retry-After`): until when and why; readings make no call. */
  retryNotBefore: { until: string; reason: string } | null;
  balanceObservedAt: string | null;
  balanceAgeSeconds: number | null;
  lastPollAt: string | null;
  thresholds: { warning: number; critical: number };
  latest: Snapshot | null;
}

/** `GET /v1/reservations`: one page, newest first; `nextCursor` asks for the next. */
export interface ReservationPage {
  reservations: Reservation[];
  nextCursor?: string;
}

/** When the balance runs out at its recent burn rate (per hour, in the account's unit). */
export interface Forecast {
  burnRatePerHour: number | null;
  hoursToExhaustion: number | null;
  exhaustsAt: string | null;
  cappedByResetAt?: string;
  samples: number;
}

/** `GET /v1/accounts/{id}`: the summary plus the forecast. */
export interface AccountDetail extends AccountSummary {
  forecast: Forecast | null;
  oldestOpenHoldAgeSeconds: number | null;
}

/** One entry of the alert log. */
export interface Alert {
  accountId: string;
  alertType: "low_balance" | "recovered" | "forecast" | "monitor_degraded" | "monitor_recovered";
  severity: "info" | "warning" | "critical";
  level: string;
  previousLevel: string;
  subject: string;
  createdAt: string;
  remaining?: number;
  available?: number;
  unit?: Unit;
  status?: "sent" | "failed";
}
