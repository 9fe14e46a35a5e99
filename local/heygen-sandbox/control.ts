import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { SandboxAccount } from "./account.ts";
import { type FaultOptions, SANDBOX_FAULTS, type SandboxFault } from "./faults.ts";
import { readJsonBody, sendJson } from "./http.ts";
import { RawRepliesRequest } from "./raw-replies.ts";
import { type VideoJobRequest, WebhookTarget, type WebhookTargetInput } from "./videos.ts";

/** What the control API can do to a running sandbox (the same operations as its in-process handle). */
export interface SandboxControls {
  state(): unknown;
  setAccount(account: SandboxAccount): void;
  setBalance(apiKey: string, balance: number): void;
  /** Takes `amount` off the main balance, not below 0; returns the new balance. */
  spend(apiKey: string, amount: number): number;
  setFault(target: string, fault: SandboxFault, options?: FaultOptions): void;
  clearFaults(): void;
  /** Raw-reply mode: these replies, in order (the last one repeating), for that key (or `*`) and endpoint. */
  setRawReplies(request: RawRepliesRequest): void;
  clearRawReplies(): void;
  setLatency(ms: number): void;
  resetCalls(): void;
  /**
   * A simulated video job whose signed webhook event is posted after `afterMs` (videos.ts); `price` is what
   * its success charges the wallet, null for a job that fails.
   */
  createVideo(request: VideoJobRequest): { videoId: string; price: number | null };
  /** Where job events are posted, and the secret they are signed with. */
  setWebhook(target: WebhookTargetInput): void;
}

const nonNegative = z.number().finite().nonnegative();
const FaultRequest = z.strictObject({
  apiKey: z.string().min(1),
  fault: z.enum(SANDBOX_FAULTS),
  times: z.number().int().positive().optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  delayMs: z.number().int().nonnegative().optional(),
});
const BalanceRequest = z.strictObject({ apiKey: z.string().min(1), balance: nonNegative });
const SpendRequest = z.strictObject({ apiKey: z.string().min(1), amount: nonNegative });
const LatencyRequest = z.strictObject({ ms: z.number().int().nonnegative() });

type Route = (body: unknown, controls: SandboxControls) => unknown;

const ROUTES: Record<string, Route> = {
  "GET /_sandbox/state": (_body, controls) => controls.state(),
  "POST /_sandbox/accounts": (body, controls) => controls.setAccount(parse(SandboxAccount, body)),
  "POST /_sandbox/balance": (body, controls) => {
    const { apiKey, balance } = parse(BalanceRequest, body);
    controls.setBalance(apiKey, balance);
  },
  "POST /_sandbox/spend": (body, controls) => {
    const { apiKey, amount } = parse(SpendRequest, body);
    return { balance: controls.spend(apiKey, amount) };
  },
  "POST /_sandbox/faults": (body, controls) => {
    const { apiKey, fault, ...options } = parse(FaultRequest, body);
    controls.setFault(apiKey, fault, options);
  },
  "DELETE /_sandbox/faults": (_body, controls) => controls.clearFaults(),
  "POST /_sandbox/replies": (body, controls) => controls.setRawReplies(parse(RawRepliesRequest, body)),
  "DELETE /_sandbox/replies": (_body, controls) => controls.clearRawReplies(),
  "POST /_sandbox/latency": (body, controls) => controls.setLatency(parse(LatencyRequest, body).ms),
  "DELETE /_sandbox/calls": (_body, controls) => controls.resetCalls(),
  "POST /_sandbox/videos": (body, controls) => controls.createVideo(body as VideoJobRequest),
  "POST /_sandbox/webhook": (body, controls) => controls.setWebhook(parse(WebhookTarget, body)),
};

/** Serves `/_sandbox/*`; bad input answers 400 with the field at fault, never a crash. */
export async function handleControl(req: IncomingMessage, res: ServerResponse, controls: SandboxControls) {
  const path = new URL(req.url ?? "/", "http://sandbox").pathname;
  const route = ROUTES[`${req.method} ${path}`];
  if (!route) return sendJson(res, 404, { error: `no control route ${req.method} ${path}` });
  try {
    const body = req.method === "GET" ? undefined : await readJsonBody(req);
    sendJson(res, 200, route(body, controls) ?? { ok: true });
  } catch (error) {
    sendJson(res, 400, { error: (error as Error).message });
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new Error(
    result.error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`).join("; "),
  );
}
