import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import type { HoldRecord } from "#core/hold-record";
import { createRateCardRegistry } from "#core/rate-card";
import { type SignOptions, signHeyGenEvent } from "#core/webhook-signature";
import { UnauthenticatedError, UnsignedDeliveryError } from "#service/errors";
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

/**
 * The webhook intake (receiveHeyGenDelivery) against plain fakes of its ports: what a delivery verifies, and
 * which hold change, log entry and task result it makes. End to end through DynamoDB Local:
 * test/e2e/webhooks.test.ts and field-cases-delivery.test.ts.
 */

const config = parseConfig({ accounts: [{ id: "acme", thresholds: { warning: 50, critical: 10 } }] });
const account = onlyAccount(config);
const SECRET = "whsec_unit";
const NOW_SECONDS = NOW.getTime() / 1000;

function setup(durations: Record<string, number> = {}) {
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

type Setup = ReturnType<typeof setup>;

/** Delivers `body` signed with `secret` (by default as HeyGen v3 signs), or with the `headers` given. */
function deliver(
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

const success = (hold: HoldRecord, data: Record<string, unknown> = {}) => ({
  event_type: "avatar_video.success",
  event_data: { video_id: "vid_1", callback_id: hold.id, ...data },
});
const failure = (hold: HoldRecord, data: Record<string, unknown> = {}) => ({
  event_type: "avatar_video.fail",
  event_data: { video_id: "vid_1", callback_id: hold.id, msg: "render failed", ...data },
});

/** A hold of a 120 s avatar video on the default usd card: 6 usd. */
function videoHold(s: Setup): HoldRecord {
  return s.store.put(heldHold(s.services, account, { spec: { durationSeconds: 120 } }));
}

describe("signatures: each scheme the code accepts verifies, any other delivery changes nothing", () => {
  it.each([
    ["heygen-signature", "heygen-signature"],
    ["signature", "signature"],
    ["heygen-signature-timestamped", "heygen-signature-timestamped"],
    ["both", "signature"],
  ] as const)("signed %s: verified and recorded as %s", async (scheme, recorded) => {
    const s = setup();
    const hold = videoHold(s);
    const answer = await deliver(s, success(hold, { duration: 60 }), { scheme });
    expect(answer).toMatchObject({ received: true, duplicate: false, action: "committed" });
    expect(answer.signatureScheme).toBe(recorded);
    expect(s.store.entries.map((e) => e.entry.signatureScheme)).toEqual([recorded]);
  });

  it("verifies with the older secret while a rotation stores two", async () => {
    const s = setup();
    s.setSecret(`whsec_new ${SECRET}`);
    const hold = videoHold(s);
    expect(await deliver(s, success(hold, { duration: 60 }))).toMatchObject({ action: "committed" });
  });

  it.each([
    ["another secret, v3", { secret: "whsec_other" }],
    ["another secret, Signature", { secret: "whsec_other", scheme: "signature" as const }],
    [
      "another secret, timestamped",
      { secret: "whsec_other", scheme: "heygen-signature-timestamped" as const },
    ],
    ["a timestamp 10 min old", { at: NOW_SECONDS - 600 }],
    ["a timestamp 10 min ahead", { at: NOW_SECONDS + 600 }],
    [
      "a timestamped signature 10 min old",
      { at: NOW_SECONDS - 600, scheme: "heygen-signature-timestamped" as const },
    ],
    ["a digest of zeros", { headers: { signature: "0".repeat(64) } }],
    ["a v3 signature without its timestamp", { headers: { "heygen-signature": "0".repeat(64) } }],
  ])("refuses %s (401, nothing read or written)", async (_name, options) => {
    const s = setup();
    const hold = videoHold(s);
    await expect(deliver(s, success(hold, { duration: 60 }), options)).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
    expect(s.store.calls).toEqual([]);
    expect(s.store.holds.get(hold.id)).toEqual(hold);
    expect(s.taskResults.sent).toEqual([]);
  });

  it("refuses a delivery signed with the body re-serialised (the raw bytes are what is signed)", async () => {
    const s = setup();
    const hold = videoHold(s);
    const raw = JSON.stringify(success(hold, { duration: 60 }), null, 2);
    const headers = signHeyGenEvent(JSON.stringify(JSON.parse(raw)), SECRET, NOW_SECONDS);
    await expect(deliver(s, raw, { headers })).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(s.store.calls).toEqual([]);
  });

  it("refuses every delivery while the secret is the deploy's NOT_SET placeholder", async () => {
    const s = setup();
    s.setSecret("NOT_SET: put the endpoint secret here");
    const hold = videoHold(s);
    await expect(deliver(s, success(hold), { secret: "NOT_SET:" })).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
    expect(s.store.calls).toEqual([]);
  });

  it("refuses an unsigned delivery before reading any secret, naming the callback_id in its warning", async () => {
    const s = setup();
    const hold = videoHold(s);
    await expect(deliver(s, success(hold), { headers: {} })).rejects.toBeInstanceOf(UnsignedDeliveryError);
    expect(s.secretReads).toEqual([]);
    expect(s.store.calls).toEqual([]);
    expect(s.log.lines).toEqual([
      expect.objectContaining({
        level: "warn",
        message: "HeyGen webhook delivery refused: unsigned",
        extra: expect.objectContaining({ callbackId: hold.id }),
      }),
    ]);
  });
});
