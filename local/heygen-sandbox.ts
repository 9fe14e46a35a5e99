/**
 * HeyGen sandbox: a small HTTP server that answers HeyGen's two balance endpoints for simulated accounts,
 * with injectable faults. Used by the tests, `npm start` and the benchmark. Listens on 127.0.0.1 only.
 *
 * Balance endpoints (header `X-Api-Key` picks the account; an unknown key answers 401 in the envelope of
 * the endpoint asked):
 *   GET /v3/users/me              (also /v3/user/me, the spelling some HeyGen pages use)
 *   GET /v2/user/remaining_quota  (balance × 60, `details` = { api, ...pools } × 60)
 *
 * Control API (JSON in and out; 400 `{error}` naming the bad field):
 *   GET    /_sandbox/state      -> { accounts, faults, latencyMs, calls }
 *   POST   /_sandbox/accounts   SandboxAccount              add or replace the account with that apiKey
 *   POST   /_sandbox/balance    { apiKey, balance }         set an account's main balance
 *   POST   /_sandbox/spend      { apiKey, amount }          take amount off (not below 0) -> { balance }
 *   POST   /_sandbox/faults     { apiKey | "*", fault, times?, retryAfterSeconds?, delayMs? }
 *   DELETE /_sandbox/faults     clear every fault
 *   POST   /_sandbox/replies    { apiKey | "*", endpoint: "v3" | "v2", replies: [{ status, headers?, body? }] }
 *                               raw-reply mode: answer exactly these, in order, the last one repeating
 *   DELETE /_sandbox/replies    leave raw-reply mode
 *   POST   /_sandbox/latency    { ms }                      delay every balance answer by ms
 *   DELETE /_sandbox/calls      zero the call counters
 *   POST   /_sandbox/videos     { apiKey, callbackId, durationSeconds, outcome: "success" | "fail" |
 *                               "insufficient_credit", afterMs, durationInEvent?, eventType?, videoId?,
 *                               deliver?, spec?, rateCard? } -> { videoId, price }
 *                               a simulated job: after afterMs its signed webhook event is posted (unless
 *                               deliver: false); a success then charges the wallet its price (the job priced
 *                               at durationSeconds by the card, as the guard prices it) chargeDelayMs later
 *   POST   /_sandbox/webhook    { url, secret, signing? }   where job events go (the local stack sets it),
 *                               signed as HeyGen v3 signs ("v3"), or "v3+signature" / "signature"
 *
 * Video endpoint: GET /v3/videos/{video_id} (a sandbox job's status and, once completed, its duration).
 * e.g. `curl -X POST localhost:PORT/_sandbox/faults -d '{"apiKey":"*","fault":"rate_limited","times":2}'`
 *
 * Raw replies come first (any status, headers and body: a field case replayed as HeyGen sent it), then faults
 * (see SandboxFault) imitate HeyGen's error envelopes and statuses, broken bodies (malformed JSON,
 * NaN, strings, negatives, a wrong shape, a socket reset mid-body) and slowness. A refused connection is
 * what `close()` leaves behind.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SandboxAccount, v2QuotaBody, v3UserBody } from "./heygen-sandbox/account.ts";
import { handleControl, type SandboxControls } from "./heygen-sandbox/control.ts";
import {
  FaultBook,
  planFor,
  type ReplyPlan,
  type SandboxEndpoint,
  v3Error,
} from "./heygen-sandbox/faults.ts";
import { sendHalfThenReset, sendJson, sendText } from "./heygen-sandbox/http.ts";
import { VideoPricing } from "./heygen-sandbox/pricing.ts";
import { type RawReply, RawReplyBook } from "./heygen-sandbox/raw-replies.ts";
import { type VideoJob, VideoJobBook, VideoJobRequest, videoStatusBody } from "./heygen-sandbox/videos.ts";

export { type FaultOptions, SANDBOX_FAULTS, type SandboxFault } from "./heygen-sandbox/faults.ts";
export type { RawRepliesRequest, RawReply } from "./heygen-sandbox/raw-replies.ts";
export { SandboxAccount };

/** The account `npm start` simulates when no real HeyGen key is given. */
export const DEFAULT_SANDBOX_ACCOUNT: SandboxAccount = Object.freeze({
  apiKey: "sandbox-key",
  billingType: "wallet",
  currency: "usd",
  balance: 120,
});

export interface SandboxCalls {
  total: number;
  byPath: Record<string, number>;
  /** Keyed by the `X-Api-Key` sent, `(none)` without one. */
  byKey: Record<string, number>;
}

/** The in-process handle: the control API's operations, plus the URL, call counts and close. */
export interface HeyGenSandbox extends Omit<SandboxControls, "state"> {
  /** `http://127.0.0.1:<port>`, to use as the client's base URL. */
  url: string;
  /** Requests to the balance endpoints (the control API is not counted). */
  calls(): SandboxCalls;
  /** The simulated video jobs, with the guard's answer to each delivery of their events. */
  videos(): VideoJob[];
  close(): Promise<void>;
}

export interface SandboxOptions {
  port?: number;
  host?: "127.0.0.1";
  latencyMs?: number;
  accounts?: SandboxAccount[];
  /**
   * How long after a successful video completes its price leaves the wallet, in ms (default
   * DEFAULT_CHARGE_DELAY_MS; the tests pass 0). The webhook is sent at completion, so a reading in between
   * still shows the old balance, as with HeyGen.
   */
  chargeDelayMs?: number;
  /** Rate cards besides the built-in ones that jobs may be charged by (the guard's `config.rateCards`). */
  rateCards?: readonly unknown[];
}

/** The charge delay of `npm start`: a few seconds, so that a reading can land between webhook and charge. */
export const DEFAULT_CHARGE_DELAY_MS = 3000;

const ENDPOINT_BY_PATH: Readonly<Record<string, SandboxEndpoint>> = {
  "/v3/users/me": "v3",
  "/v3/user/me": "v3",
  "/v2/user/remaining_quota": "v2",
};

export async function startHeyGenSandbox(options: SandboxOptions = {}): Promise<HeyGenSandbox> {
  const accounts = new Map<string, SandboxAccount>();
  const faults = new FaultBook();
  const rawReplies = new RawReplyBook();
  const pending = new Set<NodeJS.Timeout>();
  let latencyMs = nonNegative(options.latencyMs ?? 0, "latencyMs");
  let calls = emptyCalls();

  const accountFor = (apiKey: string): SandboxAccount => {
    const account = accounts.get(apiKey);
    if (!account) throw new Error("apiKey: no sandbox account has this key");
    return account;
  };
  const setAccount = (account: SandboxAccount) => {
    const valid = parseAccount(account);
    accounts.set(valid.apiKey, valid);
  };
  /** A timer that `close()` can cancel, so a held-back answer never outlives the server. */
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(timer);
        resolve();
      }, ms);
      pending.add(timer);
    });

  const pricing = new VideoPricing(options.rateCards);
  const videos = new VideoJobBook(wait, {
    empty: (apiKey) => {
      const account = accounts.get(apiKey);
      if (account) accounts.set(apiKey, { ...account, balance: 0 });
    },
    charge: (apiKey, amount) => {
      // The account may have been replaced or removed since the job started; charge what is there now.
      if (accounts.has(apiKey)) controls.spend(apiKey, amount);
    },
    chargeDelayMs: nonNegative(options.chargeDelayMs ?? DEFAULT_CHARGE_DELAY_MS, "chargeDelayMs"),
  });

  const controls: SandboxControls = {
    state: () => ({
      accounts: [...accounts.values()],
      videos: videos.list(),
      faults: faults.list(),
      rawReplies: rawReplies.list(),
      latencyMs,
      calls,
    }),
    setAccount,
    setBalance: (apiKey, balance) => {
      accounts.set(apiKey, { ...accountFor(apiKey), balance: nonNegative(balance, "balance") });
    },
    spend: (apiKey, amount) => {
      const account = accountFor(apiKey);
      const balance = roundMicro(Math.max(0, account.balance - nonNegative(amount, "amount")));
      accounts.set(apiKey, { ...account, balance });
      return balance;
    },
    setFault: (target, fault, faultOptions) => faults.set(target, fault, faultOptions),
    clearFaults: () => faults.clear(),
    setRawReplies: (request) => rawReplies.set(request),
    clearRawReplies: () => rawReplies.clear(),
    setLatency: (ms) => {
      latencyMs = nonNegative(ms, "ms");
    },
    resetCalls: () => {
      calls = emptyCalls();
    },
    createVideo: (request) => {
      const parsed = VideoJobRequest.safeParse(request);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`${issue?.path.join(".") || "(body)"}: ${issue?.message}`);
      }
      const account = accountFor(parsed.data.apiKey);
      // Priced now, so that a job the card cannot price is refused (400) instead of charging nothing later.
      const price = parsed.data.outcome === "success" ? pricing.price(account, parsed.data) : null;
      const { videoId, done } = videos.create(parsed.data, price);
      done.catch(() => undefined);
      return { videoId, price };
    },
    setWebhook: (target) => videos.setWebhook(target),
  };

  function answerVideo(req: IncomingMessage, res: ServerResponse, path: string) {
    const apiKey = headerValue(req.headers["x-api-key"]);
    countCall(calls, "/v3/videos/{id}", apiKey);
    if (!apiKey || !accounts.has(apiKey)) return sendUnknownKey(res, "v3");
    const job = videos.get(decodeURIComponent(path.slice("/v3/videos/".length)));
    if (!job || job.apiKey !== apiKey) return sendJson(res, 404, v3Error("not_found", "Video not found"));
    return sendJson(res, 200, videoStatusBody(job));
  }

  async function answerBalance(
    req: IncomingMessage,
    res: ServerResponse,
    endpoint: SandboxEndpoint,
    path: string,
  ) {
    const apiKey = headerValue(req.headers["x-api-key"]);
    countCall(calls, path, apiKey);
    if (latencyMs > 0) await wait(latencyMs);
    const raw = rawReplies.take(apiKey, endpoint);
    if (raw) return sendRaw(res, raw);
    const fault = faults.take(apiKey, endpoint);
    const plan: ReplyPlan = fault ? planFor(fault.fault, endpoint, fault) : { kind: "account" };
    if (plan.kind === "canned") return sendCanned(res, plan);

    const account = apiKey === undefined ? undefined : accounts.get(apiKey);
    if (!account) return sendUnknownKey(res, endpoint);
    if (endpoint === "v3" && account.v3Enabled === false) {
      return sendJson(res, 404, v3Error("not_found", "Not found"));
    }
    if (plan.delayMs) await wait(plan.delayMs);
    if (res.destroyed) return;
    const body =
      endpoint === "v3"
        ? v3UserBody(account, plan.rewrite)
        : v2QuotaBody(account, {
            ...(plan.rewrite ? { rewrite: plan.rewrite } : {}),
            emptyDetails: !!plan.emptyDetails,
          });
    const text = (plan.postProcess ?? ((t: string) => t))(JSON.stringify(body));
    return plan.cutMidBody ? sendHalfThenReset(res, text) : sendText(res, 200, text);
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://sandbox").pathname;
    const endpoint = ENDPOINT_BY_PATH[path];
    const handled = path.startsWith("/_sandbox/")
      ? handleControl(req, res, controls)
      : endpoint && req.method === "GET"
        ? answerBalance(req, res, endpoint, path)
        : path.startsWith("/v3/videos/") && req.method === "GET"
          ? Promise.resolve(answerVideo(req, res, path))
          : Promise.resolve(sendJson(res, 404, v3Error("not_found", `No route ${req.method} ${path}`)));
    handled.catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, v3Error("sandbox_error", String(error)));
      else res.destroy();
    });
  });

  for (const account of options.accounts ?? [DEFAULT_SANDBOX_ACCOUNT]) setAccount(account);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    ...controls,
    calls: () => structuredClone(calls),
    videos: () => videos.list(),
    async close() {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendCanned(res: ServerResponse, plan: Extract<ReplyPlan, { kind: "canned" }>) {
  const text = typeof plan.body === "string" ? plan.body : JSON.stringify(plan.body);
  sendText(res, plan.status, text, plan.headers);
}

function sendRaw(res: ServerResponse, reply: RawReply) {
  const text =
    reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
  sendText(res, reply.status, text, reply.headers);
}

function sendUnknownKey(res: ServerResponse, endpoint: SandboxEndpoint) {
  return endpoint === "v3"
    ? sendJson(res, 401, v3Error("unauthorized", "Invalid API key"))
    : sendJson(res, 401, { code: 40009, message: "Invalid credentials" });
}

function countCall(calls: SandboxCalls, path: string, apiKey: string | undefined) {
  const key = apiKey ?? "(none)";
  calls.total += 1;
  calls.byPath[path] = (calls.byPath[path] ?? 0) + 1;
  calls.byKey[key] = (calls.byKey[key] ?? 0) + 1;
}

function emptyCalls(): SandboxCalls {
  return { total: 0, byPath: {}, byKey: {} };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseAccount(account: SandboxAccount): SandboxAccount {
  const result = SandboxAccount.safeParse(account);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new Error(`${issue?.path.join(".") || "account"}: ${issue?.message}`);
}

function nonNegative(value: number, field: string): number {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${field}: must be a finite number ≥ 0`);
  return value;
}

/** Keeps repeated spends of cents from drifting into 119.99999999. */
function roundMicro(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
