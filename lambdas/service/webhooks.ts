import { createHash } from "node:crypto";
import type { AccountConfig } from "#config/config";
import { deliveryKeys, type EventOutcome, HeyGenEvent, outcomeOf, outputIdOf } from "#core/heygen-events";
import { jobVerdictOf, outputCountOf } from "#core/job-outputs";
import type { ReservationView } from "#core/reservations";
import {
  type HeaderLookup,
  isUnsignedDelivery,
  SIGNATURE_HEADERS,
  type SignatureScheme,
  verifyHeyGenSignature,
  webhookSecretsOf,
} from "#core/webhook-signature";
import { pointedIssues } from "#core/zod-issues";
import { resolveAccount } from "./accounts.ts";
import { readBalanceAfterCreditFailure } from "./credit-failure.ts";
import {
  InvalidRequestError,
  MalformedJsonError,
  UnauthenticatedError,
  UnsignedDeliveryError,
} from "./errors.ts";
import {
  accountOfReservation,
  commitReservation,
  recordReservationOutput,
  releaseReservation,
} from "./hold-changes.ts";
import type { HoldChangeResult } from "./reservation-port.ts";
import type { Services } from "./services.ts";
import { answerWaitingTask } from "./task-callbacks.ts";
import { useCase } from "./use-case.ts";
import type { WebhookLogEntry } from "./webhook-log-port.ts";
import { priceAtDuration } from "./webhook-pricing.ts";

/** What a delivery did; `duplicate`: HeyGen repeated a delivery already handled, so nothing was done. */
export interface WebhookOutcome {
  entry: Omit<WebhookLogEntry, "accountId"> & { accountId?: string };
  duplicate: boolean;
}

/** How a verified delivery arrived: the signature scheme that verified it (recorded in the webhook log). */
export interface Delivery {
  signatureScheme: SignatureScheme;
}

/**
 * Handles one verified HeyGen webhook delivery (docs/webhooks.md). The event's `callback_id` is the
 * reservation id the pipeline gave HeyGen when it created the job:
 *
 * - Only a job's own terminal outcome (JOB_OUTCOME_EVENT_TYPES) settles the hold; any other type (a GIF or
 *   captions of the video, field case G1) is logged and changes nothing: not the hold, not the waiting task.
 * - A hold of one output: `*.success` commits it at the job priced at the duration HeyGen reports (the
 *   event's `duration`, else `GET /v3/videos/{video_id}`), by the card and spec the hold was estimated with;
 *   else at the held amount. The hold records which (`commitBasis`). `*.fail` releases it.
 * - A hold of several outputs (its spec's `count`: a translation into N languages sends N outcomes, field
 *   case G3) settles per output (settleOutput), and the hold ends when every output is terminal.
 * - A failure for lack of credit (its text in any field, failureText) also reads the balance at once through
 *   pollAccount (the one reading path), so its alert goes out now rather than at the next tick.
 * - A delivery whose delivery keys (type + output id, event id) were recorded before does nothing again; a
 *   settle that the pipeline already made follows the reservations' idempotency rules (replay or conflict).
 * - The job's outcome is stored on the hold once, and a Step Functions task waiting on it is sent success,
 *   or failure `VideoFailed` or `InsufficientCredits` (task-callbacks.ts).
 * - An unknown `callback_id` changes nothing (logged to the account's webhook log when the id names one).
 *
 * Settling comes before recording the delivery, so a crash in between leaves HeyGen's retry to finish the
 * job, and the retry's settle replays. A priced amount above the hold is committed whole (the excess comes
 * out of `available`, as for any commit: HeyGen charged it). Raises store and Step Functions failures (the
 * route answers 503, so HeyGen retries); HeyGen failures only change the basis or count as a failed reading.
 */
async function handleHeyGenEvent(
  services: Services,
  event: HeyGenEvent,
  rawBody: string,
  delivery?: Delivery,
): Promise<WebhookOutcome> {
  const outcome = outcomeOf(event);
  const callbackId = event.event_data.callback_id ?? undefined;
  const base = {
    ...logEntryBase(services.now(), event, outcome),
    ...(delivery ? { signatureScheme: delivery.signatureScheme } : {}),
  };
  const account = callbackId ? accountOfReservation(services, callbackId) : undefined;
  if (!account || !callbackId) {
    const action = outcome.kind === "ignored" ? "ignored" : "unknown-reservation";
    services.log.info("HeyGen webhook names no reservation; nothing changed", { ...base, action });
    return { entry: { ...base, action }, duplicate: false };
  }
  const keys = deliveryKeys(event);
  if (keys.length === 0) keys.push(`B#${createHash("sha256").update(rawBody).digest("base64url")}`);
  if (await services.store.seenDelivery(account.id, keys)) {
    return { entry: { ...base, accountId: account.id, action: "replayed" }, duplicate: true };
  }
  const entry: WebhookLogEntry = { ...base, accountId: account.id, action: "ignored" };
  if (outcome.kind === "ignored") {
    // A derived artefact (GIF, captions) or another kind of event: not the outcome of the job the hold paid
    // for, so it must not end the hold nor tell the waiting task anything.
    services.log.info("HeyGen event is not a job's outcome; nothing changed", { ...entry });
  }
  const handled =
    outcome.kind === "ignored" ? entry : await settleFromEvent(services, account, event, outcome, entry);
  const first = await services.store.recordDelivery(handled, keys, services.config.retentionDays);
  return { entry: handled, duplicate: !first };
}

type Settling = Exclude<EventOutcome, { kind: "ignored" }>;

/** The log entry's fields that come from the event itself. */
function logEntryBase(now: Date, event: HeyGenEvent, outcome: EventOutcome) {
  const callbackId = event.event_data.callback_id ?? undefined;
  const outputId = outputIdOf(event);
  return {
    receivedAt: now.toISOString(),
    eventType: event.event_type,
    ...(event.event_data.video_id ? { videoId: event.event_data.video_id } : {}),
    ...(outputId && outputId !== event.event_data.video_id ? { outputId } : {}),
    ...(event.event_id ? { eventId: event.event_id } : {}),
    ...(callbackId ? { callbackId } : {}),
    ...(outcome.kind === "fail" && outcome.reason ? { reason: outcome.reason } : {}),
  };
}

/** Settles the hold named by `callback_id` from a job outcome: whole (one output) or per output. */
async function settleFromEvent(
  services: Services,
  account: AccountConfig,
  event: HeyGenEvent,
  outcome: Settling,
  entry: WebhookLogEntry,
): Promise<WebhookLogEntry> {
  const hold = await services.store.getReservation(entry.callbackId ?? "", services.now());
  if (!hold) return { ...entry, action: "unknown-reservation" };
  const outputs = outputCountOf(hold.spec);
  if (outputs > 1) return settleOneOutput(services, account, hold, outputs, event, outcome, entry);
  if (outcome.kind === "success") return commitFromSuccess(services, account, hold, event, outcome, entry);
  return releaseFromFailure(services, account, hold, outcome, entry);
}

/** One output: the final commit at the priced duration, then the waiting task is sent success. */
async function commitFromSuccess(
  services: Services,
  account: AccountConfig,
  hold: ReservationView,
  event: HeyGenEvent,
  outcome: Extract<Settling, { kind: "success" }>,
  entry: WebhookLogEntry,
): Promise<WebhookLogEntry> {
  const price = await priceAtDuration(services, account, hold, event, outcome.durationSeconds);
  // The price is the job's whole cost: after partial commits by the pipeline, only what they did not commit
  // (none when they committed more).
  const total =
    price.amount !== undefined && hold.status === "held"
      ? Math.max(price.amount, hold.committedAmount)
      : price.amount;
  // Not bounded by what is available: HeyGen reports a charge it already made (docs/reservations.md).
  const result = await commitReservation(services, account, hold.id, {
    beyondAvailable: "charged",
    final: true,
    ...(total !== undefined ? { totalAmount: total } : {}),
    basis: price.basis,
    billed: price.billed,
  });
  await answerWaitingTask(services, hold.id, {
    status: "success",
    output: result.kind === "ok" || result.kind === "conflict" ? result.view : hold,
  });
  return {
    ...entry,
    ...settledAs("committed", result),
    reservationId: hold.id,
    ...(price.amount !== undefined ? { actualAmount: price.amount } : {}),
    commitBasis: price.basis,
  };
}

/** One output: the release (and a reading at once after a credit failure), then the task is sent failure. */
async function releaseFromFailure(
  services: Services,
  account: AccountConfig,
  hold: ReservationView,
  outcome: Extract<Settling, { kind: "fail" }>,
  entry: WebhookLogEntry,
): Promise<WebhookLogEntry> {
  const result = await releaseReservation(services, account, hold.id);
  if (outcome.insufficientCredit) await readBalanceAfterCreditFailure(services, account, hold.id);
  await answerWaitingTask(services, hold.id, {
    status: "failure",
    error: outcome.insufficientCredit ? "InsufficientCredits" : "VideoFailed",
    cause: outcome.reason || entry.eventType,
  });
  return { ...entry, ...settledAs("released", result), reservationId: hold.id };
}

/**
 * One output of a hold of several (core/job-outputs.ts): a success commits its part priced at its duration
 * (else its held share), a failure records itself; the store does either with the output's record in one
 * transaction, so a retried or concurrent delivery settles each output once. When every output is terminal,
 * the job's one outcome (jobVerdictOf) is stored for the waiting task, also on a replay (a crash between the
 * settle and storing it).
 */
async function settleOneOutput(
  services: Services,
  account: AccountConfig,
  hold: ReservationView,
  outputs: number,
  event: HeyGenEvent,
  outcome: Settling,
  entry: WebhookLogEntry,
): Promise<WebhookLogEntry> {
  // Without an id, the outputs of a job cannot be told apart: all such events count as one output.
  const outputId = outputIdOf(event) ?? "(no output id)";
  const price =
    outcome.kind === "success"
      ? await priceAtDuration(services, account, hold, event, outcome.durationSeconds)
      : undefined;
  const result = await recordReservationOutput(services, account, hold.id, {
    outputId,
    outputs,
    ...(price ? { billed: price.billed } : {}),
    outcome: price
      ? {
          outcome: "success",
          basis: price.basis,
          ...(price.amount !== undefined ? { amount: price.amount } : {}),
        }
      : {
          outcome: "fail",
          ...(outcome.kind === "fail" && outcome.insufficientCredit ? { insufficientCredit: true } : {}),
          ...(outcome.kind === "fail" && outcome.reason ? { reason: outcome.reason } : {}),
        },
  });
  // Also on a replay: HeyGen's retry of a delivery whose reading failed (a crash after the record) reads then.
  if (result.kind === "ok" && outcome.kind === "fail" && outcome.insufficientCredit) {
    await readBalanceAfterCreditFailure(services, account, hold.id);
  }
  if (result.kind === "ok" && result.complete) {
    const verdict = jobVerdictOf(result.outputs);
    await answerWaitingTask(
      services,
      hold.id,
      verdict.status === "success" ? { status: "success", output: result.view } : verdict,
    );
  }
  const done = outcome.kind === "success" ? "committed" : "released";
  const action: WebhookLogEntry["action"] =
    result.kind === "ok"
      ? result.replayed
        ? "replayed"
        : done
      : result.kind === "conflict"
        ? "conflict"
        : "unknown-reservation";
  const committed = result.kind === "ok" ? result.outputs[outputId]?.amount : undefined;
  return {
    ...entry,
    action,
    reservationId: hold.id,
    ...(outputId !== entry.videoId ? { outputId } : {}),
    ...(outcome.kind === "success" && committed !== undefined ? { actualAmount: committed } : {}),
    ...(price ? { commitBasis: price.basis } : {}),
  };
}

/** What the operator reads when an unsigned delivery is refused: the likely cause and the fix. */
export const UNSIGNED_DELIVERY_FIX =
  "register the guard's URL as a HeyGen webhook endpoint (POST /v3/webhooks/endpoints) and store its secret " +
  "(docs/deploy.md); do not point a job's callback_url at the guard: HeyGen does not sign those deliveries";

/**
 * `POST /v1/webhooks/heygen`: one delivery as received (`rawBody`, the bytes HeyGen signed), checked in this
 * order, each refusal writing nothing:
 *
 * 1. a signature at all: none (a job's `callback_url` delivery, which HeyGen does not sign) raises
 *    UnsignedDeliveryError with a warn log naming cause and fix, before any secret is read; its body is
 *    never acted on (docs/webhooks.md "Unsigned deliveries");
 * 2. the signature, by any scheme (core/webhook-signature.ts), with any of the stored secrets
 *    (UnauthenticatedError, saying nothing of why);
 * 3. JSON (MalformedJsonError), a HeyGen event and a well-formed `Heygen-Event-Id` (InvalidRequestError
 *    naming each field).
 *
 * Then handled by handleHeyGenEvent, with `Heygen-Event-Id`, when sent, as the event's id: the delivery's
 * identity for repeats (field case G4). Answers what it did, `received: true` whatever it meant.
 */
export const receiveHeyGenDelivery = /* @__PURE__ */ useCase(
  async (services: Services, rawBody: string, header: HeaderLookup) => {
    if (isUnsignedDelivery(header)) {
      services.log.warn("HeyGen webhook delivery refused: unsigned", {
        cause:
          "no Signature or Heygen-Signature header (a job's callback_url delivery is not signed by HeyGen)",
        fix: UNSIGNED_DELIVERY_FIX,
        ...callbackIdOf(rawBody),
      });
      throw new UnsignedDeliveryError();
    }
    const secrets = webhookSecretsOf(await services.webhookSecret?.());
    const now = services.now();
    let signatureScheme: SignatureScheme | undefined;
    for (const secret of secrets) {
      signatureScheme = verifyHeyGenSignature(rawBody, header, secret, now);
      if (signatureScheme) break;
    }
    if (!signatureScheme) throw new UnauthenticatedError();
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch (error) {
      throw new MalformedJsonError((error as Error).message);
    }
    const parsed = HeyGenEvent.safeParse(body);
    if (!parsed.success) {
      throw new InvalidRequestError(pointedIssues(parsed.error), "webhook event");
    }
    const event = withHeaderEventId(parsed.data, header(SIGNATURE_HEADERS.eventId));
    const { entry, duplicate } = await handleHeyGenEvent(services, event, rawBody, { signatureScheme });
    return { received: true as const, duplicate, ...entry };
  },
);

/**
 * The event with `Heygen-Event-Id` (v3's delivery id, repeated on HeyGen's retries) as its `event_id`, so
 * that the log and the delivery keys (deliveryKeys) name it; a malformed one is a 400 naming the header.
 */
function withHeaderEventId(event: HeyGenEvent, headerValue: string | null | undefined): HeyGenEvent {
  if (headerValue === null || headerValue === undefined) return event;
  const eventId = HeyGenEvent.shape.event_id.safeParse(headerValue.trim());
  if (!eventId.success || eventId.data === undefined) {
    throw new InvalidRequestError(
      [{ pointer: `/headers/${SIGNATURE_HEADERS.eventId}`, detail: "must be 1 to 200 characters" }],
      "Heygen-Event-Id header",
    );
  }
  return { ...event, event_id: eventId.data };
}

/** The `callback_id` an unsigned body names, for the refusal's log line only (it settles nothing). */
function callbackIdOf(rawBody: string): { callbackId?: string } {
  try {
    const id = (JSON.parse(rawBody) as { event_data?: { callback_id?: unknown } })?.event_data?.callback_id;
    return typeof id === "string" && /^[\w-]{1,100}$/.test(id) ? { callbackId: id } : {};
  } catch {
    return {};
  }
}

/** `GET /v1/accounts/{id}/events`: the account's webhook log, newest first, at most `limit` (1–MAX_LIST_LIMIT). */
export const accountWebhookEvents = /* @__PURE__ */ useCase(
  async (
    services: Services,
    accountId: string,
    limit: number,
    caller: string,
  ): Promise<{ accountId: string; events: WebhookLogEntry[] }> => {
    const account = resolveAccount(services, accountId, "/path/id", caller);
    return { accountId: account.id, events: await services.store.listWebhookEvents(account.id, limit) };
  },
);

function settledAs(
  done: "committed" | "released",
  result: HoldChangeResult,
): Pick<WebhookLogEntry, "action"> {
  if (result.kind === "ok") return { action: result.replayed ? "replayed" : done };
  if (result.kind === "not_found") return { action: "unknown-reservation" };
  // conflict (settled otherwise, or expired): HeyGen cannot fix it by retrying, so the delivery is logged and
  // acknowledged.
  return { action: "conflict" };
}

/** Whether the webhook secret is usable, for a post-deploy check (`quota-guard doctor`); never the secret. */
export interface WebhookSecretStatus {
  /** At least one secret that is not the deploy's `NOT_SET` placeholder. */
  secretSet: boolean;
  /** How many secrets verify deliveries: 2 while one is being rotated (docs/deploy.md). */
  secrets: number;
  /** Why the secret could not be read (the error's name and message, which never carry the secret). */
  readError?: string;
}

/**
 * Reads the webhook secret the way a delivery does and says whether it is set. Never throws for a secret
 * that cannot be read: that is an answer (`readError`), so that a post-deploy check can report it.
 */
export async function webhookSecretStatus(services: Services): Promise<WebhookSecretStatus> {
  if (!services.webhookSecret) {
    return { secretSet: false, secrets: 0, readError: "this function is not wired with the webhook secret" };
  }
  try {
    const secrets = webhookSecretsOf(await services.webhookSecret()).length;
    return { secretSet: secrets > 0, secrets };
  } catch (error) {
    const readError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { secretSet: false, secrets: 0, readError };
  }
}
