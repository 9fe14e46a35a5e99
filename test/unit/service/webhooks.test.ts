import { describe, expect, it } from "vitest";
import { NOW } from "./fakes.ts";
import { heldHold } from "./webhook-fakes.ts";
import { account, deliver, failure, setup, success, videoHold } from "./webhook-harness.ts";

/**
 * The webhook intake (receiveHeyGenDelivery) against plain fakes of its ports (webhook-fakes.ts): which hold
 * change, log entry and task result a verified delivery makes for a hold of one output, and what a repeat or a
 * stranger does not. Signatures: webhooks-signatures.test.ts; several outputs, GIF events and waiting tasks:
 * webhooks-outputs.test.ts. End to end through DynamoDB Local: test/e2e/webhooks.test.ts and
 * field-cases-delivery.test.ts.
 */

describe("a hold of one output settles from the job's outcome", () => {
  it("a success commits the hold at the job priced at the event's duration", async () => {
    const s = setup();
    const hold = videoHold(s);
    expect(hold.amount).toBe(6);
    const answer = await deliver(s, success(hold, { duration: 90 }), { eventId: "evt_1" });
    expect(answer).toEqual({
      received: true,
      duplicate: false,
      receivedAt: NOW.toISOString(),
      eventType: "avatar_video.success",
      videoId: "vid_1",
      eventId: "evt_1",
      callbackId: hold.id,
      signatureScheme: "heygen-signature",
      accountId: "acme",
      action: "committed",
      reservationId: hold.id,
      actualAmount: 4.5,
      commitBasis: "event-duration",
    });
    const at = NOW.toISOString();
    expect(s.store.applied).toEqual([
      [
        expect.objectContaining({
          write: "hold-change",
          set: {
            committedAmount: 4.5,
            committedAt: at,
            captures: 1,
            status: "committed",
            finalPart: 4.5,
            commitBasis: "event-duration",
          },
          endsCount: true,
        }),
        expect.objectContaining({ write: "capture", n: 1, amount: 4.5, committedAt: at }),
        // The spend ledger keeps the commit with what priced it: the estimate of 6 against the real 4.5.
        expect.objectContaining({
          write: "ledger",
          entry: expect.objectContaining({
            at,
            amount: 4.5,
            final: true,
            estimatedAmount: 6,
            actualAmount: 4.5,
            commitBasis: "event-duration",
            durationSeconds: 90,
            videoId: "vid_1",
            jobType: "avatar_video",
            engine: "avatar_iv",
          }),
        }),
        // The part stays in `reserved` (as its capture) until a snapshot shows it settled: 6 held → 4.5.
        { write: "counter", accountId: "acme", reservedDelta: -1.5, openHoldsDelta: -1 },
      ],
    ]);
    expect(s.videos.reads).toEqual([]);
    const { entry, keys } = s.store.entries[0] ?? {};
    expect(keys).toEqual(["I#evt_1", "V#avatar_video.success#vid_1"]);
    expect(entry).toMatchObject({ action: "committed", actualAmount: 4.5 });
    expect(s.store.results.get(hold.id)).toMatchObject({
      status: "success",
      output: { status: "committed" },
    });
  });

  it("without a duration in the event, reads the video's (video-duration)", async () => {
    const s = setup({ vid_1: 30 });
    const hold = videoHold(s);
    const answer = await deliver(s, success(hold));
    expect(answer).toMatchObject({ action: "committed", actualAmount: 1.5, commitBasis: "video-duration" });
    expect(s.videos.reads).toEqual(["vid_1"]);
    expect(s.store.holds.get(hold.id)).toMatchObject({ status: "committed", committedAmount: 1.5 });
  });

  it("with no duration known anywhere, commits the held amount (held-amount, no part named)", async () => {
    const s = setup();
    const hold = videoHold(s);
    const answer = await deliver(s, success(hold));
    expect(answer).toMatchObject({ action: "committed", commitBasis: "held-amount" });
    expect(answer.actualAmount).toBeUndefined();
    expect(s.store.holds.get(hold.id)).toMatchObject({
      status: "committed",
      committedAmount: 6,
      finalPart: null,
    });
  });

  it("a duration of 0 in the event prices nothing: the held amount is committed", async () => {
    const s = setup();
    const hold = videoHold(s);
    const answer = await deliver(s, success(hold, { duration: 0 }));
    expect(answer).toMatchObject({ action: "committed", commitBasis: "held-amount" });
    expect(s.store.holds.get(hold.id)).toMatchObject({ status: "committed", committedAmount: 6 });
  });

  it("a hold of a bare amount (no spec) commits that amount, without asking HeyGen", async () => {
    const s = setup({ vid_1: 30 });
    const hold = s.store.put(heldHold(s.services, account, { amount: 2 }));
    const answer = await deliver(s, success(hold));
    expect(answer).toMatchObject({ action: "committed", commitBasis: "held-amount" });
    expect(s.videos.reads).toEqual([]);
    expect(s.store.holds.get(hold.id)).toMatchObject({ status: "committed", committedAmount: 2 });
  });

  it("after a partial commit by the pipeline, the hold ends at the job's price, not the price on top", async () => {
    const s = setup();
    const partial = { committedAmount: 2, committedAt: NOW.toISOString(), captures: 1 };
    const hold = s.store.put({ ...videoHold(s), ...partial });
    expect(await deliver(s, success(hold, { duration: 90 }))).toMatchObject({
      action: "committed",
      actualAmount: 4.5,
    });
    expect(s.store.holds.get(hold.id)).toMatchObject({ status: "committed", committedAmount: 4.5 });
    expect(s.store.applied[0]?.slice(1)).toEqual([
      expect.objectContaining({ write: "capture", n: 2, amount: 2.5 }),
      // This commit's part is 2.5; the job it settles cost 4.5 in all (actualAmount, against the estimate).
      expect.objectContaining({
        write: "ledger",
        entry: expect.objectContaining({ amount: 2.5, actualAmount: 4.5, estimatedAmount: 6 }),
      }),
      { write: "counter", accountId: "acme", reservedDelta: -1.5, openHoldsDelta: -1 },
    ]);
  });

  it("after partial commits above the job's price, the hold ends with what they committed", async () => {
    const s = setup();
    const partial = { committedAmount: 5, committedAt: NOW.toISOString(), captures: 1 };
    const hold = s.store.put({ ...videoHold(s), ...partial });
    expect(await deliver(s, success(hold, { duration: 90 }))).toMatchObject({ action: "committed" });
    expect(s.store.holds.get(hold.id)).toMatchObject({ status: "committed", committedAmount: 5 });
    expect(s.store.applied[0]?.at(-1)).toEqual({
      write: "counter",
      accountId: "acme",
      reservedDelta: -1,
      openHoldsDelta: -1,
    });
  });

  it("a video longer than held is committed whole (HeyGen charged it)", async () => {
    const s = setup();
    const hold = videoHold(s);
    expect(await deliver(s, success(hold, { duration: 300 }))).toMatchObject({ actualAmount: 15 });
    expect(s.store.applied[0]?.at(-1)).toEqual({
      write: "counter",
      accountId: "acme",
      reservedDelta: 9,
      openHoldsDelta: -1,
    });
  });

  it("a failure releases the hold and reads no balance", async () => {
    const s = setup();
    const hold = videoHold(s);
    const answer = await deliver(s, failure(hold));
    expect(answer).toMatchObject({ action: "released", reservationId: hold.id, reason: "render failed" });
    expect(s.store.applied).toEqual([
      [
        expect.objectContaining({
          write: "hold-change",
          set: { status: "released", releasedAt: NOW.toISOString() },
          endsCount: true,
        }),
        { write: "counter", accountId: "acme", reservedDelta: -6, openHoldsDelta: -1 },
      ],
    ]);
    expect(s.balance.calls).toBe(0);
    expect(s.store.results.get(hold.id)).toEqual({
      status: "failure",
      error: "VideoFailed",
      cause: "render failed",
    });
  });

  it("a failure for lack of credit (field case F12) releases, reads the balance at once, says InsufficientCredits", async () => {
    const s = setup();
    const hold = videoHold(s);
    const event = failure(hold, { msg: undefined, failure_code: "MOVIO_PAYMENT_INSUFFICIENT_CREDIT" });
    expect(await deliver(s, event)).toMatchObject({ action: "released" });
    expect(s.balance.calls).toBe(1);
    expect(s.store.snapshots.map((snapshot) => snapshot.remaining)).toEqual([0]);
    expect(s.store.results.get(hold.id)).toEqual({
      status: "failure",
      error: "InsufficientCredits",
      cause: "MOVIO_PAYMENT_INSUFFICIENT_CREDIT",
    });
  });

  it("a credit failure replayed on HeyGen's retry (the release made, the log not) reads the balance again", async () => {
    const s = setup();
    const hold = videoHold(s);
    const event = failure(hold, { msg: "Insufficient credit" });
    await deliver(s, event);
    s.store.entries.length = 0;
    expect(await deliver(s, event)).toMatchObject({ action: "replayed" });
    expect(s.balance.calls).toBe(2);
    expect(s.store.applied).toHaveLength(1);
  });
});

describe("repeats and strangers change nothing", () => {
  it("a redelivered event (same Heygen-Event-Id) is answered duplicate after one read", async () => {
    const s = setup();
    const hold = videoHold(s);
    await deliver(s, success(hold, { duration: 90 }), { eventId: "evt_1" });
    const before = { hold: s.store.holds.get(hold.id), calls: s.store.calls.length };
    const again = await deliver(s, success(hold, { duration: 90, video_id: "vid_2" }), { eventId: "evt_1" });
    expect(again).toMatchObject({ duplicate: true, action: "replayed", eventId: "evt_1" });
    expect(s.store.calls.slice(before.calls)).toEqual(["seenDelivery"]);
    expect(s.store.holds.get(hold.id)).toBe(before.hold);
    expect(s.store.applied).toHaveLength(1);
    expect(s.store.entries).toHaveLength(1);
  });

  it("a redelivery without an event id is recognised by its type and video id", async () => {
    const s = setup();
    const hold = videoHold(s);
    await deliver(s, failure(hold));
    const again = await deliver(s, failure(hold));
    expect(again).toMatchObject({ duplicate: true, action: "replayed" });
    expect(s.store.applied).toHaveLength(1);
  });

  it("a callback_id that names no account of ours is acknowledged without touching the store", async () => {
    const s = setup();
    const answer = await deliver(s, {
      event_type: "avatar_video.success",
      event_data: { callback_id: "job-42" },
    });
    expect(answer).toMatchObject({ received: true, duplicate: false, action: "unknown-reservation" });
    expect(answer.accountId).toBeUndefined();
    expect(s.store.calls).toEqual([]);
  });

  it("an unknown hold of one of our accounts is logged to its account, and nothing written", async () => {
    const s = setup();
    const id = "rsv_acme_AAAAAAAAAAAAAAAAAAAAAA";
    const answer = await deliver(s, {
      event_type: "avatar_video.success",
      event_data: { video_id: "vid_9", callback_id: id, duration: 30 },
    });
    expect(answer).toMatchObject({ accountId: "acme", action: "unknown-reservation", callbackId: id });
    expect(s.store.calls).toEqual(["seenDelivery", "getReservation", "recordDelivery"]);
    expect(s.store.applied).toEqual([]);
  });

  it("an event for a hold the pipeline released: a failure replays, a success is a conflict", async () => {
    const s = setup();
    const hold = s.store.put({ ...videoHold(s), status: "released", releasedAt: NOW.toISOString() });
    expect(await deliver(s, failure(hold))).toMatchObject({ action: "replayed" });
    expect(await deliver(s, success(hold, { video_id: "vid_2", duration: 30 }))).toMatchObject({
      action: "conflict",
    });
    expect(s.store.applied).toEqual([]);
    expect(s.store.holds.get(hold.id)?.status).toBe("released");
  });

  it("an event for a hold the pipeline committed: at the job's price a replay, at another a conflict", async () => {
    const s = setup();
    const committed = { status: "committed" as const, committedAt: NOW.toISOString(), captures: 1 };
    const atPrice = s.store.put({ ...videoHold(s), ...committed, committedAmount: 4.5, finalPart: 4.5 });
    expect(await deliver(s, success(atPrice, { duration: 90 }))).toMatchObject({ action: "replayed" });
    const atHeld = s.store.put({ ...videoHold(s), ...committed, committedAmount: 6, finalPart: null });
    expect(await deliver(s, success(atHeld, { video_id: "vid_2", duration: 90 }))).toMatchObject({
      action: "conflict",
    });
    expect(s.store.applied).toEqual([]);
  });
});
