import { describe, expect, it } from "vitest";
import { signHeyGenEvent } from "#core/webhook-signature";
import {
  InvalidRequestError,
  MalformedJsonError,
  UnauthenticatedError,
  UnknownAccountError,
  UnsignedDeliveryError,
} from "#service/errors";
import type { Services } from "#service/services";
import { accountWebhookEvents, webhookSecretStatus } from "#service/webhooks";
import { CALLER } from "./fakes.ts";
import { deliver, NOW_SECONDS, SECRET, setup, success, videoHold } from "./webhook-harness.ts";

/**
 * What the webhook intake (receiveHeyGenDelivery) verifies before it settles anything, against plain fakes of
 * its ports (webhook-fakes.ts): each signature scheme the code accepts, and every refusal reading and writing
 * nothing. What a verified delivery settles: webhooks.test.ts, webhooks-outputs.test.ts.
 */

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

  it("reads hex in any case with a sha256= prefix, and a Heygen-Timestamp 5 minutes old still verifies", async () => {
    const s = setup();
    const hold = videoHold(s);
    const raw = JSON.stringify(success(hold, { duration: 60 }));
    const signed = signHeyGenEvent(raw, SECRET, NOW_SECONDS - 300);
    const headers = {
      "heygen-signature": `SHA256=${signed["heygen-signature"]?.toUpperCase()}`,
      "heygen-timestamp": signed["heygen-timestamp"] ?? "",
    };
    expect(await deliver(s, raw, { headers })).toMatchObject({ signatureScheme: "heygen-signature" });
  });

  it("a bad Signature beside a good Heygen-Signature verifies (either header is enough)", async () => {
    const s = setup();
    const hold = videoHold(s);
    const raw = JSON.stringify(success(hold, { duration: 60 }));
    const headers = { ...signHeyGenEvent(raw, SECRET, NOW_SECONDS), signature: "0".repeat(64) };
    expect(await deliver(s, raw, { headers })).toMatchObject({
      action: "committed",
      signatureScheme: "heygen-signature",
    });
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
    ["a timestamp 301 s old", { at: NOW_SECONDS - 301 }],
    ["a timestamp in milliseconds", { at: NOW_SECONDS * 1000 }],
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

describe("a verified delivery that is not a HeyGen event is refused (400) before anything is read", () => {
  it.each([
    ["malformed JSON", "{not json", MalformedJsonError],
    ["an event_type that is not a string", { event_type: 7, event_data: {} }, InvalidRequestError],
    ["no event_data", { event_type: "avatar_video.success" }, InvalidRequestError],
  ] as const)("%s", async (_name, body, error) => {
    const s = setup();
    await expect(deliver(s, body)).rejects.toBeInstanceOf(error);
    expect(s.store.calls).toEqual([]);
  });

  it("a blank Heygen-Event-Id is refused naming the header", async () => {
    const s = setup();
    const hold = videoHold(s);
    const raw = JSON.stringify(success(hold, { duration: 60 }));
    const headers = { ...signHeyGenEvent(raw, SECRET, NOW_SECONDS), "heygen-event-id": "  " };
    const refusal = deliver(s, raw, { headers });
    await expect(refusal).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(refusal).rejects.toMatchObject({
      fields: [{ pointer: "/headers/heygen-event-id", detail: "must be 1 to 200 characters" }],
    });
    expect(s.store.calls).toEqual([]);
  });
});

describe("the webhook secret's status (quota-guard doctor) and the account's webhook log", () => {
  it("says how many secrets verify, never throwing for one that cannot be read", async () => {
    const s = setup();
    expect(await webhookSecretStatus(s.services)).toEqual({ secretSet: true, secrets: 1 });
    s.setSecret(`whsec_new ${SECRET}`);
    expect(await webhookSecretStatus(s.services)).toEqual({ secretSet: true, secrets: 2 });
    s.setSecret("NOT_SET: put the endpoint secret here");
    expect(await webhookSecretStatus(s.services)).toEqual({ secretSet: false, secrets: 0 });
    const unreadable: Services = {
      ...s.services,
      webhookSecret: () => Promise.reject(Object.assign(new Error("denied"), { name: "AccessDenied" })),
    };
    expect(await webhookSecretStatus(unreadable)).toEqual({
      secretSet: false,
      secrets: 0,
      readError: "AccessDenied: denied",
    });
    const { webhookSecret: _unwired, ...unwired } = s.services;
    expect(await webhookSecretStatus(unwired)).toMatchObject({ secretSet: false, secrets: 0 });
  });

  it("lists the account's deliveries newest first, as recorded", async () => {
    const s = setup();
    const hold = videoHold(s);
    await deliver(s, success(hold, { duration: 60 }), { eventId: "evt_a" });
    await deliver(s, { event_type: "avatar_video_gif.success", event_data: { callback_id: hold.id } });
    const { accountId, events } = await accountWebhookEvents(s.services, "acme", 10, CALLER);
    expect(accountId).toBe("acme");
    expect(events.map((e) => [e.eventType, e.action])).toEqual([
      ["avatar_video_gif.success", "ignored"],
      ["avatar_video.success", "committed"],
    ]);
    await expect(accountWebhookEvents(s.services, "nobody", 10, CALLER)).rejects.toBeInstanceOf(
      UnknownAccountError,
    );
  });
});
