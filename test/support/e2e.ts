import type { SNSClient } from "@aws-sdk/client-sns";
import { parseConfig, type QuotaGuardConfig } from "#config/config";
import type { HeyGenSandbox } from "#local/heygen-sandbox";
import type { LocalStack, LocalStackOptions } from "#local/stack";
import { type Adapters, createServices } from "#runtime/wiring";
import { type Log, type Services, silentLog } from "#service/services";
import { assertAnswerConforms } from "./answer-conformance.ts";
import { startTestStack } from "./local-stack.ts";

/** Helpers for the end-to-end tests: a clock the test moves, and a small JSON client for the local API. */

/** A clock injected into the stack; tests move it instead of waiting. Starts at the real time. */
export class TestClock {
  #ms: number;

  constructor(start: Date = new Date()) {
    this.#ms = start.getTime();
  }

  readonly now = (): Date => new Date(this.#ms);

  advance(seconds: number): Date {
    this.#ms += seconds * 1000;
    return this.now();
  }

  /**
   * Waits `ms` by moving the clock instead of the real time: injected as the HeyGen client's sleep, a
   * `Retry-After` or a backoff has passed for the code that reads this clock, at once.
   */
  readonly sleep = async (ms: number): Promise<void> => {
    this.#ms += ms;
  };

  /** The current time as an ISO string, used as a distinct schedule tick per poll. */
  tick(): string {
    return this.now().toISOString();
  }
}

export interface ApiReply<T = Record<string, unknown>> {
  status: number;
  contentType: string;
  headers: Headers;
  body: T;
}

type Json = Record<string, unknown>;

/** Sends a request to the local API and parses its JSON answer (problem+json included). */
export async function call<T = Json>(
  stack: Pick<LocalStack, "url">,
  method: string,
  path: string,
  options: { json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<ApiReply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(`${stack.url}${path}`, { method, headers, ...(body ? { body } : {}) });
  const text = await response.text();
  const contentType = response.headers.get("content-type") ?? "";
  const parsed = text ? JSON.parse(text) : {};
  assertAnswerConforms(method, path, response.status, contentType, parsed);
  return { status: response.status, contentType, headers: response.headers, body: parsed as T };
}

export const get = <T = Json>(stack: Pick<LocalStack, "url">, path: string) => call<T>(stack, "GET", path);

export const post = <T = Json>(
  stack: Pick<LocalStack, "url">,
  path: string,
  json?: unknown,
  headers?: Record<string, string>,
) =>
  call<T>(stack, "POST", path, { ...(json === undefined ? {} : { json }), ...(headers ? { headers } : {}) });

/** A config with the given accounts (each gets its own sandbox key env var, left unset) and overrides. */
export function testConfig(accounts: Json[], overrides: Json = {}): QuotaGuardConfig {
  return parseConfig(
    {
      ...overrides,
      accounts: accounts.map((a) => ({ apiKeyEnv: `E2E_KEY_${String(a.id).toUpperCase()}`, ...a })),
    },
    "e2e test config",
  );
}

/** The JSON pointers a problem's `errors[]` names. */
export function pointersOf(body: Json): string[] {
  const errors = (body.errors ?? []) as { pointer: string }[];
  return errors.map((e) => e.pointer);
}

export const PROBLEM_JSON = "application/problem+json";

export interface DeliveredAlert {
  subject?: string;
  message: string;
  attributes: Record<string, string>;
}

/**
 * What SNS delivered, sorted by account: draining the shared queue takes every account's alerts, so they
 * are kept here until the test about that account asks for them.
 */
export class AlertInbox {
  readonly #byAccount = new Map<string, DeliveredAlert[]>();

  constructor(private readonly stack: Pick<LocalStack, "sns">) {}

  /** Everything delivered for `accountId` since the last call (taken out of the inbox). */
  async take(accountId: string): Promise<DeliveredAlert[]> {
    for (const delivered of await this.stack.sns.drain(0)) {
      const id = delivered.attributes.accountId ?? "(none)";
      this.#byAccount.set(id, [...(this.#byAccount.get(id) ?? []), delivered]);
    }
    const mine = this.#byAccount.get(accountId) ?? [];
    this.#byAccount.delete(accountId);
    return mine;
  }
}

/** The stack's HeyGen sandbox; the e2e tests never run against real HeyGen. */
export function sandboxOf(stack: LocalStack): HeyGenSandbox {
  if (!stack.sandbox) throw new Error("the stack runs without its HeyGen sandbox");
  return stack.sandbox;
}

/** The sandbox API key of a configured account. */
export function sandboxKeyOf(stack: LocalStack, accountId: string): string {
  const key = stack.sandboxKeys[accountId];
  if (!key) throw new Error(`account "${accountId}" is not served by the sandbox`);
  return key;
}

/** Gives each account a usd wallet of `balance` in the sandbox (its reading happens at the next poll). */
export function fundWallets(stack: LocalStack, accountIds: readonly string[], balance: number): void {
  for (const id of accountIds) {
    sandboxOf(stack).setAccount({
      apiKey: sandboxKeyOf(stack, id),
      billingType: "wallet",
      currency: "usd",
      balance,
    });
  }
}

export interface BesideOptions {
  now: () => Date;
  config?: QuotaGuardConfig;
  alerts?: { sns: SNSClient; topicArn: string };
  log?: Log;
}

/**
 * Adapters over the stack's own table and sandbox, set differently from the stack's (another config, a
 * broken alert topic), for what one stack per test file cannot otherwise show.
 */
export function adaptersBeside(stack: LocalStack, options: BesideOptions): Adapters {
  return {
    config: options.config ?? stack.config,
    doc: stack.dynamo.doc,
    tableName: stack.tableName,
    heygenBaseUrl: sandboxOf(stack).url,
    apiKeyFor: (account) => stack.sandboxKeys[account.id] ?? "",
    heygenTimeoutMs: 500,
    now: options.now,
    log: options.log ?? silentLog,
    ...(options.alerts ? { alerts: options.alerts } : {}),
  };
}

/** Services wired (runtime/wiring.ts) over adaptersBeside. */
export function servicesBeside(stack: LocalStack, options: BesideOptions): Services {
  return createServices(adaptersBeside(stack, options));
}

/**
 * A local stack with one account, `accountId`, whose balances never go stale (no check polls behind a
 * test's back); `readCredits(balance)` sets its sandbox wallet to `balance` credits and polls once.
 */
export async function startOneAccountStack(
  accountId: string,
  options: Pick<LocalStackOptions, "sigv4"> = {},
): Promise<{ stack: LocalStack; readCredits(balance: number, tick?: string): Promise<void> }> {
  const stack = await startTestStack({
    config: testConfig([{ id: accountId }], { checks: { maxBalanceAgeSeconds: 90 * 86400 } }),
    env: {},
    pollIntervalSeconds: 0,
    ...options,
  });
  const readCredits = async (balance: number, tick?: string) => {
    const apiKey = sandboxKeyOf(stack, accountId);
    sandboxOf(stack).setAccount({ apiKey, billingType: "wallet", currency: "credits", balance });
    await stack.pollNow(tick);
  };
  return { stack, readCredits };
}
