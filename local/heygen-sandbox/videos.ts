import { randomBytes } from "node:crypto";
import { z } from "zod";
import { signHeyGenEvent } from "#core/webhook-signature";

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
  /** The job's id, as HeyGen gave it in a field case being replayed (default: a new `vid_…`). */
  videoId: z.string().min(1).max(200).optional(),
  /** False: the job finishes but posts no event (the test delivers a field case's own bytes instead). */
  deliver: z.boolean().default(true),
});
export type VideoJobRequest = z.input<typeof VideoJobRequest>;

export const WebhookTarget = z.strictObject({ url: z.url(), secret: z.string().min(1) });
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
}

export const INSUFFICIENT_CREDIT_MESSAGE = "MOVIO_PAYMENT_INSUFFICIENT_CREDIT: Insufficient credit";

/** The jobs, their timers and where their events go. */
export class VideoJobBook {
  readonly #jobs = new Map<string, VideoJob>();
  #target: WebhookTarget | undefined;

  constructor(
    private readonly schedule: (ms: number) => Promise<void>,
    /** A credit failure happens because the wallet is empty: the sandbox empties it, as HeyGen's would be. */
    private readonly emptyWallet: (apiKey: string) => void,
  ) {}

  setWebhook(target: WebhookTarget): void {
    this.#target = WebhookTarget.parse(target);
  }

  get(id: string): VideoJob | undefined {
    return this.#jobs.get(id);
  }

  list(): VideoJob[] {
    return [...this.#jobs.values()].map((job) => structuredClone(job));
  }

  /** Starts a job; resolves its id at once (the event follows after `afterMs`). */
  create(input: VideoJobRequest): { videoId: string; done: Promise<void> } {
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
    };
    this.#jobs.set(id, job);
    const done = this.schedule(request.afterMs).then(() => this.#finish(job, request));
    return { videoId: id, done };
  }

  async #finish(job: VideoJob, request: z.infer<typeof VideoJobRequest>): Promise<void> {
    job.status = job.outcome === "success" ? "completed" : "failed";
    if (job.outcome === "insufficient_credit") this.emptyWallet(job.apiKey);
    const target = this.#target;
    if (!target || !request.deliver) return;
    const body = JSON.stringify(eventFor(job, request));
    const headers = signHeyGenEvent(body, target.secret, Date.now() / 1000);
    const answer = await fetch(target.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    }).catch(() => undefined);
    job.deliveries.push(answer?.status ?? 0);
    await answer?.body?.cancel();
  }
}

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
