import { describe, expect, it } from "vitest";
import type { HoldRecord } from "#core/hold-record";
import type { EstimateRequestInput } from "#core/job-spec";
import { heldHold } from "./webhook-fakes.ts";
import { account, deliver, failure, type Setup, setup, success, videoHold } from "./webhook-harness.ts";

/**
 * The webhook intake against plain fakes, continued (webhooks.test.ts): holds of several outputs (field case
 * G3), events that are not a job's outcome (G1), and the Step Functions task waiting on a hold.
 */

const TOKEN = "AQCEAAAAKgAAAAMAAAAAAAAAAdemoToken";

/** Field case G3: a translation into 3 languages, 60 s each, on one hold. */
function translationHold(s: Setup): HoldRecord {
  const spec: EstimateRequestInput = {
    type: "video_translation",
    translationMode: "speed_lipsync",
    durationSeconds: 60,
    count: 3,
  };
  return s.store.put(heldHold(s.services, account, { spec }));
}

const translated = (hold: HoldRecord, language: string, data: Record<string, unknown> = {}) => ({
  event_type: "video_translate.success",
  event_data: { video_translate_id: `vt_0000g3${language}`, callback_id: hold.id, ...data },
});
const untranslated = (hold: HoldRecord, language: string, message: string) => ({
  event_type: "video_translate.fail",
  event_data: { video_translate_id: `vt_0000g3${language}`, message, callback_id: hold.id },
});

async function waiting(s: Setup, hold: HoldRecord) {
  expect(await s.store.attachTaskToken(hold.id, TOKEN)).toEqual({ kind: "attached" });
}

describe("a hold of several outputs (G3) settles per output, and the last one ends it", () => {
  it("es fails for lack of credit, fr and de succeed: two shares committed, one task result at the end", async () => {
    const s = setup();
    const hold = translationHold(s);
    const share = Math.round((hold.amount / 3) * 1e6) / 1e6;
    await waiting(s, hold);

    const es = await deliver(s, untranslated(hold, "es", "Insufficient credit"));
    expect(es).toMatchObject({ action: "released", outputId: "vt_0000g3es", reason: "Insufficient credit" });
    expect(s.store.applied).toEqual([
      [
        expect.objectContaining({
          write: "hold-change",
          set: {
            outputs: {
              vt_0000g3es: { outcome: "fail", insufficientCredit: true, reason: "Insufficient credit" },
            },
          },
          endsCount: false,
        }),
      ],
    ]);
    expect(s.balance.calls).toBe(1);
    expect(s.store.holds.get(hold.id)?.status).toBe("held");
    expect(s.store.results.size).toBe(0);

    const fr = await deliver(s, translated(hold, "fr"));
    expect(fr).toMatchObject({ action: "committed", actualAmount: share, commitBasis: "held-amount" });
    expect(s.store.holds.get(hold.id)).toMatchObject({ status: "held", committedAmount: share });
    expect(s.taskResults.sent).toEqual([]);

    const de = await deliver(s, translated(hold, "de"));
    expect(de).toMatchObject({ action: "committed", outputId: "vt_0000g3de", actualAmount: share });
    expect(s.store.holds.get(hold.id)).toMatchObject({
      status: "committed",
      committedAmount: 2 * share,
      finalPart: 2 * share,
    });
    expect(s.store.applied.at(-1)?.at(-1)).toEqual({
      write: "counter",
      accountId: "acme",
      reservedDelta: -(hold.amount - 2 * share),
      openHoldsDelta: -1,
    });
    expect(s.taskResults.sent).toEqual([
      { token: TOKEN, output: expect.objectContaining({ id: hold.id, status: "committed" }) },
    ]);
    expect(s.balance.calls).toBe(1);
  });

  it("an output's reported duration prices that output alone (event-duration)", async () => {
    const s = setup();
    const hold = translationHold(s);
    const perSecond = hold.amount / 180;
    const answer = await deliver(s, translated(hold, "fr", { duration: 30 }));
    expect(answer).toMatchObject({ action: "committed", commitBasis: "event-duration" });
    expect(answer.actualAmount).toBeCloseTo(30 * perSecond, 6);
    expect(s.store.holds.get(hold.id)?.outputs).toEqual({
      vt_0000g3fr: { outcome: "success", basis: "event-duration", amount: answer.actualAmount },
    });
  });

  it("when every output fails, the last releases the whole hold and the task is told why, per output", async () => {
    const s = setup();
    const hold = translationHold(s);
    await waiting(s, hold);
    await deliver(s, untranslated(hold, "es", "voice unavailable"));
    await deliver(s, untranslated(hold, "fr", "Insufficient credits"));
    expect(s.taskResults.sent).toEqual([]);
    expect(await deliver(s, untranslated(hold, "de", "voice unavailable"))).toMatchObject({
      action: "released",
    });
    expect(s.store.holds.get(hold.id)?.status).toBe("released");
    expect(s.store.applied.at(-1)?.at(-1)).toEqual({
      write: "counter",
      accountId: "acme",
      reservedDelta: -hold.amount,
      openHoldsDelta: -1,
    });
    expect(s.taskResults.sent).toEqual([
      {
        token: TOKEN,
        error: "InsufficientCredits",
        cause:
          "vt_0000g3es: voice unavailable; vt_0000g3fr: Insufficient credits; vt_0000g3de: voice unavailable",
      },
    ]);
  });

  it("an output settled before its delivery was logged (a crash between) replays on HeyGen's retry", async () => {
    const s = setup();
    const hold = translationHold(s);
    await deliver(s, translated(hold, "fr"));
    s.store.entries.length = 0; // the crash: settled, the delivery not recorded
    const retry = await deliver(s, translated(hold, "fr"));
    expect(retry).toMatchObject({ duplicate: false, action: "replayed" });
    expect(s.store.applied).toHaveLength(1);
    expect(s.store.entries.map((e) => e.entry.action)).toEqual(["replayed"]);
  });

  it("an output's credit failure whose reading crashed is read on HeyGen's retry (the retry finishes the job)", async () => {
    const s = setup();
    const hold = translationHold(s);
    const event = untranslated(hold, "es", "Insufficient credit");
    s.store.failClaims = 1; // the store fails the reading's claim once: the delivery answers 503, unrecorded
    await expect(deliver(s, event)).rejects.toThrow("store unavailable");
    expect(s.store.holds.get(hold.id)?.outputs).toHaveProperty("vt_0000g3es");
    expect([s.balance.calls, s.store.entries.length]).toEqual([0, 0]);
    expect(await deliver(s, event)).toMatchObject({ action: "replayed" });
    expect(s.balance.calls).toBe(1);
    expect(s.store.applied).toHaveLength(1);
  });

  it("two outputs settled at once: the one whose write lost plans again on the other's, and both count", async () => {
    const s = setup();
    const hold = translationHold(s);
    const share = Math.round((hold.amount / 3) * 1e6) / 1e6;
    s.store.beforeNextApply = () => {
      // The de delivery's transaction lands between fr's read and fr's write.
      const de = { outcome: "success" as const, basis: "held-amount" as const, amount: share };
      s.store.put({ ...hold, version: 2, captures: 1, committedAmount: share, outputs: { vt_0000g3de: de } });
    };
    expect(await deliver(s, translated(hold, "fr"))).toMatchObject({
      action: "committed",
      actualAmount: share,
    });
    expect(s.store.calls.filter((call) => call === "readHold")).toHaveLength(2);
    expect(s.store.holds.get(hold.id)).toMatchObject({
      status: "held",
      version: 3,
      captures: 2,
      committedAmount: 2 * share,
    });
    expect(Object.keys(s.store.holds.get(hold.id)?.outputs ?? {})).toEqual(["vt_0000g3de", "vt_0000g3fr"]);
  });

  it("the same output reported the other way is a conflict, and changes nothing", async () => {
    const s = setup();
    const hold = translationHold(s);
    await deliver(s, translated(hold, "fr"));
    expect(await deliver(s, untranslated(hold, "fr", "late failure"))).toMatchObject({ action: "conflict" });
    expect(s.store.applied).toHaveLength(1);
  });
});

describe("events that are not a job's outcome (G1: a GIF, captions) settle nothing", () => {
  const gif = (hold: HoldRecord, type: string) => ({
    event_type: type,
    event_data: { video_id: "vid_0000g1demo", msg: "GIF generation failed", callback_id: hold.id },
  });

  it("a GIF failure is logged as ignored; the hold stays held and the waiting task hears nothing", async () => {
    const s = setup({ vid_0000g1demo: 30 });
    const hold = s.store.put(
      heldHold(s.services, account, { spec: { durationSeconds: 30, resolution: "1080p" } }),
    );
    await waiting(s, hold);
    const answer = await deliver(s, gif(hold, "avatar_video_gif.fail"));
    expect(answer).toMatchObject({ action: "ignored", accountId: "acme", duplicate: false });
    expect(answer.reason).toBeUndefined();
    expect(s.store.calls).toEqual(["attachTaskToken", "seenDelivery", "recordDelivery"]);
    expect(s.store.holds.get(hold.id)).toEqual(hold);
    expect(s.videos.reads).toEqual([]);

    const video = await deliver(s, success(hold, { video_id: "vid_0000g1demo" }));
    expect(video).toMatchObject({ action: "committed", actualAmount: 1.5, commitBasis: "video-duration" });
    expect(s.taskResults.sent).toEqual([
      { token: TOKEN, output: expect.objectContaining({ status: "committed" }) },
    ]);

    // A GIF success after the video: nothing more, not even a second GET /v3/videos.
    expect(await deliver(s, gif(hold, "avatar_video_gif.success"))).toMatchObject({ action: "ignored" });
    expect(s.videos.reads).toEqual(["vid_0000g1demo"]);
    expect(s.store.applied).toHaveLength(1);
  });

  it("a caption failure after the video succeeded never replaces the stored success", async () => {
    const s = setup({ vid_1: 30 });
    const hold = videoHold(s);
    await deliver(s, success(hold));
    await deliver(s, { ...gif(hold, "avatar_video_caption.fail"), event_data: { callback_id: hold.id } });
    expect(s.store.results.get(hold.id)).toMatchObject({ status: "success" });
    expect(await s.store.attachTaskToken(hold.id, TOKEN)).toMatchObject({
      kind: "result",
      result: { status: "success" },
    });
  });

  it("an event type with no callback_id is acknowledged without touching the store", async () => {
    const s = setup();
    const answer = await deliver(s, { event_type: "avatar_video_gif.success_pending", event_data: {} });
    expect(answer).toMatchObject({ received: true, action: "ignored" });
    expect(s.store.calls).toEqual([]);
  });
});

describe("the Step Functions task waiting on the hold", () => {
  it("is sent the committed hold once, even when HeyGen delivers the event again", async () => {
    const s = setup();
    const hold = videoHold(s);
    await waiting(s, hold);
    await deliver(s, success(hold, { duration: 60 }));
    s.store.entries.length = 0;
    expect(await deliver(s, success(hold, { duration: 60 }))).toMatchObject({ action: "replayed" });
    expect(s.taskResults.sent).toEqual([
      { token: TOKEN, output: expect.objectContaining({ status: "committed", actualAmount: 3 }) },
    ]);
  });

  it("a task that no longer waits (TaskTimedOut) is logged, and the delivery still succeeds", async () => {
    const s = setup();
    const hold = videoHold(s);
    await waiting(s, hold);
    s.taskResults.failure = "TaskTimedOut";
    expect(await deliver(s, failure(hold))).toMatchObject({ action: "released" });
    expect(s.log.lines.filter((line) => line.level === "warn").map((line) => line.extra)).toEqual([
      { reservationId: hold.id, error: "TaskTimedOut: send refused" },
    ]);
    expect(s.store.tokens.get(hold.id)).toEqual({ token: TOKEN, sent: true });
  });

  it("Step Functions down: the delivery fails unrecorded (HeyGen retries) and the retry sends", async () => {
    const s = setup();
    const hold = videoHold(s);
    await waiting(s, hold);
    s.taskResults.failure = "ServiceUnavailable";
    await expect(deliver(s, failure(hold))).rejects.toMatchObject({ name: "ServiceUnavailable" });
    expect(s.store.holds.get(hold.id)?.status).toBe("released");
    expect(s.store.tokens.get(hold.id)).toEqual({ token: TOKEN, sent: false });
    expect(s.store.entries).toEqual([]);
    s.taskResults.failure = undefined;
    expect(await deliver(s, failure(hold))).toMatchObject({ action: "replayed" });
    expect(s.taskResults.sent).toEqual([{ token: TOKEN, error: "VideoFailed", cause: "render failed" }]);
  });
});
