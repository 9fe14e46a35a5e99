import type { BalanceRewrite } from "./account.ts";

export const SANDBOX_FAULTS = [
  "unauthorized",
  "insufficient_credit",
  "forbidden",
  "not_found_v3",
  "rate_limited",
  "rate_limited_no_retry_after",
  "server_error",
  "bad_gateway",
  "unavailable",
  "gateway_timeout",
  "slow",
  "malformed_json",
  "wrong_shape",
  "negative_balance",
  "nan_balance",
  "string_balance",
  "reset_mid_body",
  "empty_details",
] as const;
export type SandboxFault = (typeof SANDBOX_FAULTS)[number];

export type SandboxEndpoint = "v3" | "v2";

export interface FaultOptions {
  /** Answer this many matching requests with the fault, then behave again; default: until cleared. */
  times?: number;
  /** `rate_limited` (default 1) and `unavailable` (default none): the `Retry-After` header. */
  retryAfterSeconds?: number;
  /** `slow`: how long to hold the answer back; default 30 s, past any sane client timeout. */
  delayMs?: number;
}

/** How the server answers a request: a canned reply, or the account's real body altered. */
export type ReplyPlan =
  | { kind: "canned"; status: number; body: unknown; headers?: Record<string, string> }
  | {
      kind: "account";
      rewrite?: BalanceRewrite;
      emptyDetails?: boolean;
      delayMs?: number;
      /** Replaces tokens JSON cannot express (NaN) after serialising. */
      postProcess?: (text: string) => string;
      /** Send half the body, then destroy the socket. */
      cutMidBody?: boolean;
    };

/** Faults that only make sense on one endpoint; elsewhere they neither apply nor get used up. */
const ONLY_ON: Partial<Record<SandboxFault, SandboxEndpoint>> = { not_found_v3: "v3", empty_details: "v2" };

const NAN_TOKEN = "__sandbox_nan__";
const DEFAULT_SLOW_MS = 30_000;

export const v3Error = (code: string, message: string) => ({ error: { code, message } });
export const v2Error = (code: string | number, message: string) => ({ data: null, error: { code, message } });

/** The reply for `fault` on `endpoint`, shaped like HeyGen's (error envelopes per docs/heygen-facts.md#errors). */
export function planFor(fault: SandboxFault, endpoint: SandboxEndpoint, options: FaultOptions): ReplyPlan {
  const envelope = (code: string, message: string) =>
    endpoint === "v3" ? v3Error(code, message) : v2Error(code, message);
  const canned = (status: number, body: unknown, headers?: Record<string, string>): ReplyPlan => ({
    kind: "canned",
    status,
    body,
    ...(headers ? { headers } : {}),
  });
  const retryAfter = (seconds: number | undefined) =>
    seconds === undefined ? undefined : { "Retry-After": String(seconds) };

  switch (fault) {
    case "unauthorized":
      // The legacy endpoints are known to report some errors with HTTP 200; exercise that path.
      return endpoint === "v3"
        ? canned(401, v3Error("unauthorized", "Invalid API key"))
        : canned(200, v2Error(40009, "Invalid credentials"));
    case "insufficient_credit":
      return endpoint === "v3"
        ? canned(402, v3Error("insufficient_credit", "Insufficient credit"))
        : canned(402, v2Error("MOVIO_PAYMENT_INSUFFICIENT_CREDIT", "Insufficient credit"));
    case "forbidden":
      return canned(403, envelope("forbidden", "This key may not read the balance"));
    case "not_found_v3":
      return canned(404, v3Error("not_found", "Not found"));
    case "rate_limited":
      return canned(
        429,
        envelope("rate_limit_exceeded", "Too many requests"),
        retryAfter(options.retryAfterSeconds ?? 1),
      );
    case "rate_limited_no_retry_after":
      return canned(429, envelope("rate_limit_exceeded", "Too many requests"));
    case "server_error":
      return canned(500, envelope("internal_error", "Internal server error"));
    case "bad_gateway":
      return canned(502, "<html><body><h1>502 Bad Gateway</h1></body></html>");
    case "unavailable":
      return canned(
        503,
        envelope("service_unavailable", "Try again later"),
        retryAfter(options.retryAfterSeconds),
      );
    case "gateway_timeout":
      return canned(504, "<html><body><h1>504 Gateway Time-out</h1></body></html>");
    case "slow":
      return { kind: "account", delayMs: options.delayMs ?? DEFAULT_SLOW_MS };
    case "malformed_json":
      return canned(200, '{"data": {"billing_type": "wallet", "wallet": {"remaining_bal');
    case "wrong_shape":
      return endpoint === "v3"
        ? canned(200, { data: { billing_type: "wallet", wallet: { balance: 120 } } })
        : canned(200, { error: null, data: { quota: 7200 } });
    case "negative_balance":
      return { kind: "account", rewrite: (value) => -Math.max(value, 1) };
    case "nan_balance":
      // What a Python backend's json.dumps(float("nan")) would send.
      return {
        kind: "account",
        rewrite: () => NAN_TOKEN,
        postProcess: (text) => text.replace(`"${NAN_TOKEN}"`, "NaN"),
      };
    case "string_balance":
      return { kind: "account", rewrite: (value) => value.toFixed(2) };
    case "reset_mid_body":
      return { kind: "account", cutMidBody: true };
    case "empty_details":
      return { kind: "account", emptyDetails: true };
  }
}

interface ActiveFault extends FaultOptions {
  fault: SandboxFault;
}

/** Faults set per API key or for every key (`*`); a key's own fault wins over `*`. */
export class FaultBook {
  readonly #faults = new Map<string, ActiveFault>();

  set(target: string, fault: SandboxFault, options: FaultOptions = {}): void {
    if (!SANDBOX_FAULTS.includes(fault)) throw new Error(`fault: unknown fault "${fault}"`);
    if (options.times !== undefined && !(Number.isInteger(options.times) && options.times > 0)) {
      throw new Error("times: must be a positive integer");
    }
    this.#faults.set(target, { fault, ...options });
  }

  clear(): void {
    this.#faults.clear();
  }

  list(): Array<{ target: string } & ActiveFault> {
    return [...this.#faults].map(([target, active]) => ({ target, ...active }));
  }

  /** The fault for a request with `apiKey` on `endpoint`, using up one of its `times`. */
  take(apiKey: string | undefined, endpoint: SandboxEndpoint): ActiveFault | undefined {
    for (const target of [apiKey, "*"]) {
      const active = target === undefined ? undefined : this.#faults.get(target);
      if (!active || (ONLY_ON[active.fault] ?? endpoint) !== endpoint) continue;
      if (active.times !== undefined) {
        active.times -= 1;
        if (active.times === 0) this.#faults.delete(target as string);
      }
      return active;
    }
    return undefined;
  }
}
