import { randomBytes } from "node:crypto";
import { z } from "zod";
import { type SignOptions, signHeyGenEvent } from "#core/webhook-signature";
import { VideoSpec } from "./pricing.ts";

/**
 * Simulated video jobs: `POST /_sandbox/videos` makes one; after `afterMs` it finishes as asked and its
 * webhook event is posted, signed as HeyGen signs, to the registered endpoint. `GET /v3/videos/{id}` answers
 * its status and duration as HeyGen's does. The event shapes are HeyGen's (docs.heygen.com "Webhook events"
 * and field case F12): a success carries no duration unless `durationInEvent`, so the guard reads it from
 * `GET /v3/videos/{id}` as it must with HeyGen.
 */
export const VideoJobRequest = z.strictObject({
  apiKey: z.string().min(1),
  callbackId: z.string().min(1).max(200),
  durationSeconds: z
    .number()
    .positive()
    .max(4 * 3600),
  outcome: z.enum(["success", "fail", "insufficient_credit"]),
  afterMs: z.number().int().nonnegative().max(600_000).default(0),
  /** Put `duration` in the success event too (HeyGen's own events do not always). */
  durationInEvent: z.boolean().default(false),
  eventType: z.enum(["avatar_video", "video_translate", "video_agent"]).default("avatar_video"),
  /** The job's video id, e.g. a field case's (`vid_0000g4demo`); default a random one. */
  videoId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/)
    .optional(),
  /** False: the job finishes but its event is not posted (a test delivers a field case's exact bytes). */
  deliver: z.boolean().default(true),
  /**
   * What the job is, for its price: the fields of a reservation's job spec without a duration (`engine`,
   * `resolution`, `type`, `translationMode`, `test`); default the guard's defaults (avatar_iv, 720p).
   */
  spec: VideoSpec.optional(),
  /** The card the job is charged by; default the account's (`SandboxAccount.rateCard`), else the default. */
  rateCard: z.string().min(1).max(64).optional(),
});
export type VideoJobRequest = z.input<typeof VideoJobRequest>;

/**
 * Where job events go and how they are signed: `v3` (default) as HeyGen v3 endpoints are signed,
 * `Heygen-Signature` = hex HMAC-SHA256 of the raw body with `Heygen-Timestamp` and `Heygen-Event-Id` (field
 * case G4); `v3+signature` adds the legacy `Signature` header (HMAC of the body); `signature` sends only it.
 */
export const WebhookTarget = z.strictObject({
  url: z.url(),
  secret: z.string().min(1),
  signing: z.enum(["v3", "v3+signature", "signature"]).default("v3"),
});
export type WebhookTargetInput = z.input<typeof WebhookTarget>;
export type WebhookTarget = z.infer<typeof WebhookTarget>;

export interface VideoJob {
  id: string;
  apiKey: string;
  callbackId: string;
  durationSeconds: number;
  outcome: "success" | "fail" | "insufficient_credit";
  status: "processing" | "completed" | "failed";
  /** The guard's answers to this job's deliveries (HTTP status), in order. */
  deliveries: number[];
  /** What a success costs the wallet, priced when the job is made (pricing.ts); null for a job that fails. */
  price: number | null;
  /** True once the wallet was charged `price`: the charge delay after the job completed. */
  charged: boolean;
}

export const INSUFFICIENT_CREDIT_MESSAGE = "MOVIO_PAYMENT_INSUFFICIENT_CREDIT: Insufficient credit";

/** The jobs, their timers and where their events go. */
export class VideoJobBook {
  readonly #jobs = new Map<string, VideoJob>();
  #target: WebhookTarget | undefined;

  constructor(
    private readonly schedule: (ms: number) => Promise<void>,
    private readonly wallet: {
      /** A credit failure happens because the wallet is empty: the sandbox empties it, as HeyGen's would be. */
      empty(apiKey: string): void;
      /** Takes a successful job's price off the wallet (not below 0). */
      charge(apiKey: string, amount: number): void;
      /**
       * How long after a job completes its price leaves the wallet (ms): HeyGen's balance shows a charge a
       * little after the video is done, not with the webhook.
       */
      chargeDelayMs: number;
    },
  ) {}

  setWebhook(target: WebhookTargetInput): void {
    this.#target = WebhookTarget.parse(target);
  }

  get(id: string): VideoJob | undefined {
    return this.#jobs.get(id);
  }

  list(): VideoJob[] {
    return [...this.#jobs.values()].map((job) => structuredClone(job));
  }

  /**
   * Starts a job; resolves its id at once (the event follows after `afterMs`). `price` is what a success
   * charges the wallet, null for a job that fails.
   */
  create(input: VideoJobRequest, price: number | null): { videoId: string; done: Promise<void> } {
    const request = VideoJobRequest.parse(input);
    const id = request.videoId ?? `vid_${randomBytes(8).toString("hex")}`;
    const job: VideoJob = {
      id,
      apiKey: request.apiKey,
      callbackId: request.callbackId,
      durationSeconds: request.durationSeconds,
      outcome: request.outcome,
      status: "processing",
      deliveries: [],
      price: request.outcome === "success" ? price : null,
      charged: false,
    };
    this.#jobs.set(id, job);
    const done = this.schedule(request.afterMs).then(() => this.#finish(job, request));
    return { videoId: id, done };
  }

  async #finish(job: VideoJob, request: z.infer<typeof VideoJobRequest>): Promise<void> {
    job.status = job.outcome === "success" ? "completed" : "failed";
    if (job.outcome === "insufficient_credit") this.wallet.empty(job.apiKey);
    const price = job.price;
    if (price !== null) {
      void this.schedule(this.wallet.chargeDelayMs).then(() => {
        this.wallet.charge(job.apiKey, price);
        job.charged = true;
      });
    }
    const target = this.#target;
    if (!target || !request.deliver) return;
    const body = JSON.stringify(eventFor(job, request));
    // One event id per event, as HeyGen's: a retry of the same event would carry it again.
    const headers = signHeyGenEvent(body, target.secret, Date.now() / 1000, {
      eventId: `evt_${randomBytes(8).toString("hex")}`,
      scheme: SCHEME_OF[target.signing],
    });
    const answer = await fetch(target.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    }).catch(() => undefined);
    job.deliveries.push(answer?.status ?? 0);
    await answer?.body?.cancel();
  }
}

const SCHEME_OF = {
  v3: "heygen-signature",
  "v3+signature": "both",
  signature: "signature",
} as const satisfies Record<WebhookTarget["signing"], SignOptions["scheme"]>;

function eventFor(job: VideoJob, request: z.infer<typeof VideoJobRequest>) {
  if (job.outcome === "success") {
    return {
      event_type: `${request.eventType}.success`,
      event_data: {
        video_id: job.id,
        url: `https://resource.heygen.ai/video/${job.id}.mp4`,
        callback_id: job.callbackId,
        ...(request.durationInEvent ? { duration: job.durationSeconds } : {}),
      },
    };
  }
  return {
    event_type: `${request.eventType}.fail`,
    event_data: {
      video_id: job.id,
      callback_id: job.callbackId,
      msg: job.outcome === "insufficient_credit" ? INSUFFICIENT_CREDIT_MESSAGE : "Avatar rendering failed",
    },
  };
}

/** `GET /v3/videos/{id}` as HeyGen answers it (developers.heygen.com/reference/get-video). */
export function videoStatusBody(job: VideoJob) {
  return {
    data: {
      id: job.id,
      status: job.status,
      callback_id: job.callbackId,
      ...(job.status === "completed" ? { duration: job.durationSeconds } : {}),
      ...(job.status === "failed"
        ? job.outcome === "insufficient_credit"
          ? { failure_code: "MOVIO_PAYMENT_INSUFFICIENT_CREDIT", failure_message: "Insufficient credit" }
          : { failure_code: "RENDER_FAILED", failure_message: "Avatar rendering failed" }
        : {}),
    },
  };
}
