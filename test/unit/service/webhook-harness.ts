import { parseConfig } from "#config/config";
import type { HoldRecord } from "#core/hold-record";
import { createRateCardRegistry } from "#core/rate-card";
import { type SignOptions, signHeyGenEvent } from "#core/webhook-signature";
import type { Services } from "#service/services";
import { receiveHeyGenDelivery } from "#service/webhooks";
import { FakeBalanceSource, NOW, onlyAccount } from "./fakes.ts";
import {
  FakeTaskResults,
  FakeVideoSource,
  heldHold,
  RecordingLog,
  WebhookFakeStore,
} from "./webhook-fakes.ts";

/** The webhook intake's services over the fakes of webhook-fakes.ts, and deliveries signed as HeyGen signs. */

export const config = parseConfig({ accounts: [{ id: "acme", thresholds: { warning: 50, critical: 10 } }] });
export const account = onlyAccount(config);
export const SECRET = "whsec_unit";
export const NOW_SECONDS = NOW.getTime() / 1000;

/** Services with fresh fakes; `durations`: what GET /v3/videos/{id} reports per video id. */
export function setup(durations: Record<string, number> = {}) {
  const store = new WebhookFakeStore();
  const log = new RecordingLog();
  const taskResults = new FakeTaskResults();
  const videos = new FakeVideoSource(durations);
  const balance = new FakeBalanceSource(0);
  const secretReads: number[] = [];
  let secret = SECRET;
  const services: Services = {
    config,
    store,
    rateCards: createRateCardRegistry(),
    balanceSource: () => balance,
    videoSource: () => videos,
    webhookSecret: async () => {
      secretReads.push(1);
      return secret;
    },
    taskResults,
    now: () => NOW,
    log,
  };
  const setSecret = (value: string) => {
    secret = value;
  };
  return { store, log, taskResults, videos, balance, services, secretReads, setSecret };
}

export type Setup = ReturnType<typeof setup>;

/** Delivers `body` signed with `secret` (by default as HeyGen v3 signs), or with the `headers` given. */
export function deliver(
  { services }: Setup,
  body: unknown,
  options: SignOptions & { secret?: string; headers?: Record<string, string>; at?: number } = {},
) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const headers =
    options.headers ?? signHeyGenEvent(raw, options.secret ?? SECRET, options.at ?? NOW_SECONDS, options);
  const lookup = (name: string) => headers[name.toLowerCase()];
  return receiveHeyGenDelivery(services, raw, lookup);
}

export const success = (hold: HoldRecord, data: Record<string, unknown> = {}) => ({
  event_type: "avatar_video.success",
  event_data: { video_id: "vid_1", callback_id: hold.id, ...data },
});
export const failure = (hold: HoldRecord, data: Record<string, unknown> = {}) => ({
  event_type: "avatar_video.fail",
  event_data: { video_id: "vid_1", callback_id: hold.id, msg: "render failed", ...data },
});

/** A held hold of a 120 s avatar video on the default usd card (6 usd), in the store. */
export function videoHold(s: Setup): HoldRecord {
  return s.store.put(heldHold(s.services, account, { spec: { durationSeconds: 120 } }));
}
