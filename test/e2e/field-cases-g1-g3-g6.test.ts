import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import type { TaskResultSender } from "#service/services";
import { call, fundWallets, get, post, sandboxKeyOf, sandboxOf, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/**
 * Field cases G1, G3 and G6 (test/fixtures/field-cases/heygen-2026-12.json) through the local stack: each
 * webhook body as the case's exact bytes, with only the example reservation id replaced by the one the guard
 * returned, signed again (`Signature`: HMAC of the body) with the test stack's secret. Each kind gets one
 * more instance of its own. Waiting tasks are registered with `POST /v1/reservations/{id}/wait`; what the
 * webhook sends them is recorded by the stack's task result sender.
 */

interface Step {
  rawBody: string;
  signature: string;
}
interface FieldCase {
  id: string;
  body: { event_data: { callback_id: string } } | null;
  expected: { steps: (Step | Record<string, string>)[]; variants?: Step[]; setup?: string[] };
}
const CASES = (
  JSON.parse(
    readFileSync(new URL("../fixtures/field-cases/heygen-2026-12.json", import.meta.url), "utf8"),
  ) as { cases: FieldCase[] }
).cases;
const caseOf = (id: string) => {
  const found = CASES.find((c) => c.id === id);
  if (!found) throw new Error(`${id} missing from the fixture`);
  return found;
};
const deliveries = (c: FieldCase) => c.expected.steps.filter((s): s is Step => "rawBody" in s);

/** The made-up secret the fixture's signatures were made with. */
const CASE_SECRET = "whsec_field2DemoSecret00";
const hmac = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex");

/** What the webhook sent each task token; a token in `gone` answers as Step Functions does for a closed task. */
const sent: { token: string; status: string; output?: unknown; cause?: string }[] = [];
const gone = new Set<string>();
const taskGone = () => Object.assign(new Error("Task Timed Out"), { name: "TaskTimedOut" });
const taskResults: TaskResultSender = {
  async succeed(token, output) {
    if (gone.has(token)) throw taskGone();
    sent.push({ token, status: "success", output });
  },
  async fail(token, error, cause) {
    if (gone.has(token)) throw taskGone();
    sent.push({ token, status: error, cause });
  },
};
const sentTo = (token: string) => sent.filter((s) => s.token === token);

let stack: LocalStack;
const ACCOUNTS = ["g1", "g1a", "g1b", "g1x", "g3", "g3x", "g3c", "g6", "g6x"];

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig(
      ACCOUNTS.map((id) => ({ id })),
      { checks: { maxBalanceAgeSeconds: 90 * 86400 } },
    ),
    env: {},
    pollIntervalSeconds: 0,
    taskResults,
  });
  // Setup of every case: balance recorded, wallet 120 usd.
  fundWallets(stack, ACCOUNTS, 120);
  await stack.pollNow();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

interface Hold {
  id: string;
  status: string;
  amount: number;
  heldAmount: number;
  committedAmount: number;
  actualAmount?: number;
  commitBasis?: string;
}

async function reserve(body: Record<string, unknown>): Promise<Hold> {
  const reply = await post<Hold>(stack, "/v1/reservations", body);
  expect(reply.status).toBe(201);
  return reply.body;
}

const holdOf = async (id: string) => (await get<Hold>(stack, `/v1/reservations/${id}`)).body;
const wait = (id: string, taskToken: string) =>
  post<{ waiting: boolean; resultSent: boolean }>(stack, `/v1/reservations/${id}/wait`, { taskToken });
const videoGets = () => sandboxOf(stack).calls().byPath["/v3/videos/{id}"] ?? 0;

/**
 * Delivers a body as HeyGen would: the case's bytes with the example reservation id replaced by `holdId`,
 * signed with the stack's secret. Checks first that the case's own signature is the HMAC of its bytes, so
 * that the bytes are the case's exactly.
 */
async function deliver(step: Step | string, exampleId: string, holdId: string) {
  const raw = typeof step === "string" ? step : step.rawBody;
  if (typeof step !== "string") expect(hmac(CASE_SECRET, raw)).toBe(step.signature);
  const body = raw.replaceAll(exampleId, holdId);
  const reply = await call<Record<string, unknown>>(stack, "POST", "/v1/webhooks/heygen", {
    body,
    headers: { "content-type": "application/json", signature: hmac(stack.webhookSecret, body) },
  });
  expect(reply.status).toBe(200);
  return reply.body;
}

/** A sandbox job with the case's video id whose event the test delivers itself (GET /v3/videos answers it). */
function sandboxVideo(accountId: string, holdId: string, videoId: string, durationSeconds: number) {
  sandboxOf(stack).createVideo({
    apiKey: sandboxKeyOf(stack, accountId),
    callbackId: holdId,
    durationSeconds,
    outcome: "success",
    afterMs: 0,
    videoId,
    deliver: false,
  });
}

describe("G1: GIF and caption events share the video's callback_id", () => {
  const G1 = caseOf("G1");
  const example = G1.body?.event_data.callback_id as string;
  const [gifFail, videoSuccess] = deliveries(G1) as [Step, Step];
  const [gifSuccess, captionFail] = G1.expected.variants as [Step, Step];
  const spec = (accountId: string) => ({ accountId, durationSeconds: 30, resolution: "1080p" });

  it("the GIF failure is ignored (hold held, task not told); the video's success commits 1.50 at its duration and sends success", async () => {
    const hold = await reserve(spec("g1"));
    expect(hold.amount).toBe(1.5);
    sandboxVideo("g1", hold.id, "vid_0000g1demo", 30);
    const token = "AQCEAAAAKgAAAAMAAAAAAAAAAdemoG1token";
    expect((await wait(hold.id, token)).body).toMatchObject({ waiting: true });
    const gets = videoGets();

    expect(await deliver(gifFail, example, hold.id)).toMatchObject({ action: "ignored" });
    expect(await holdOf(hold.id)).toMatchObject({ status: "held", heldAmount: 1.5 });
    expect(sentTo(token)).toEqual([]);
    expect(videoGets()).toBe(gets);

    expect(await deliver(videoSuccess, example, hold.id)).toMatchObject({
      action: "committed",
      actualAmount: 1.5,
      commitBasis: "video-duration",
    });
    expect(await holdOf(hold.id)).toMatchObject({ status: "committed", actualAmount: 1.5 });
    expect(sentTo(token)).toEqual([
      { token, status: "success", output: expect.objectContaining({ status: "committed" }) },
    ]);
  });

  it("variant a: a GIF success after the video's changes nothing and costs no second GET /v3/videos", async () => {
    const hold = await reserve(spec("g1a"));
    sandboxVideo("g1a", hold.id, "vid_0000g1demo", 30);
    const token = "token-g1a";
    await wait(hold.id, token);
    expect(await deliver(videoSuccess, example, hold.id)).toMatchObject({ action: "committed" });
    const [after, gets] = [await holdOf(hold.id), videoGets()];
    expect(await deliver(gifSuccess, example, hold.id)).toMatchObject({ action: "ignored" });
    expect(await holdOf(hold.id)).toEqual(after);
    expect(videoGets()).toBe(gets);
    expect(sentTo(token).map((s) => s.status)).toEqual(["success"]);
  });

  it("variant b: success before /wait, then a caption failure: /wait sends success, never VideoFailed", async () => {
    const hold = await reserve(spec("g1b"));
    sandboxVideo("g1b", hold.id, "vid_0000g1demo", 30);
    expect(await deliver(videoSuccess, example, hold.id)).toMatchObject({ action: "committed" });
    expect(await deliver(captionFail, example, hold.id)).toMatchObject({ action: "ignored" });
    const token = "token-g1b";
    expect((await wait(hold.id, token)).body).toMatchObject({ waiting: false, resultSent: true });
    expect(sentTo(token).map((s) => s.status)).toEqual(["success"]);
    expect((await holdOf(hold.id)).status).toBe("committed");
  });

  it("one more: caption success and failure, a proofread and a personalized_video event change nothing; the video's failure then releases", async () => {
    const hold = await reserve(spec("g1x"));
    const token = "token-g1x";
    await wait(hold.id, token);
    const event = (type: string, extra = "") =>
      `{"event_type":"${type}","event_data":{"video_id":"vid_0000g1more","callback_id":"${hold.id}"${extra}}}`;
    for (const type of [
      "avatar_video_caption.success",
      "avatar_video_caption.fail",
      "proofread_creation.success",
      "personalized_video",
    ]) {
      expect(await deliver(event(type, ',"msg":"Insufficient credit"'), hold.id, hold.id)).toMatchObject({
        action: "ignored",
      });
    }
    expect(await holdOf(hold.id)).toMatchObject({ status: "held", heldAmount: 1.5 });
    expect(sentTo(token)).toEqual([]);
    expect(
      await deliver(event("avatar_video.fail", ',"msg":"render failed"'), hold.id, hold.id),
    ).toMatchObject({ action: "released" });
    expect(sentTo(token).map((s) => s.status)).toEqual(["VideoFailed"]);
  });
});

describe("G3: a translation into three languages sends three outcomes under one callback_id", () => {
  const G3 = caseOf("G3");
  const example = G3.body?.event_data.callback_id as string;
  const [es, fr, de] = deliveries(G3) as [Step, Step, Step];
  const translation = (accountId: string, count: number) => ({
    accountId,
    type: "video_translation",
    translationMode: "speed_lipsync",
    durationSeconds: 60,
    count,
  });
  const account = async (id: string) =>
    (await get<{ remaining: number; reserved: number }>(stack, `/v1/accounts/${id}`)).body;

  it("es fails for credit (in `message`): urgent read, nothing released yet; fr and de commit; the end is two shares committed, one released; the task hears once", async () => {
    const before = await account("g3");
    const hold = await reserve(translation("g3", 3));
    const share = hold.amount / 3;
    const token = "token-g3";
    await wait(hold.id, token);
    // HeyGen failed it for lack of credit: its wallet is empty now.
    sandboxOf(stack).setBalance(sandboxKeyOf(stack, "g3"), 0);

    expect(await deliver(es, example, hold.id)).toMatchObject({
      action: "released",
      outputId: "vt_0000g3es",
      reason: "Insufficient credit",
    });
    // The reading the credit failure triggered recorded the empty wallet and alerted, without a poll.
    expect((await account("g3")).remaining).toBe(0);
    const alerts = (await get<{ alerts: { level: string }[] }>(stack, "/v1/accounts/g3/alerts")).body.alerts;
    expect(alerts.map((a) => a.level)).toContain("exhausted");
    expect(await holdOf(hold.id)).toMatchObject({ status: "held", committedAmount: 0 });
    expect(sentTo(token)).toEqual([]);

    expect(await deliver(fr, example, hold.id)).toMatchObject({
      action: "committed",
      outputId: "vt_0000g3fr",
    });
    expect(await holdOf(hold.id)).toMatchObject({ status: "held" });
    expect((await holdOf(hold.id)).committedAmount).toBeCloseTo(share, 6);
    expect(sentTo(token)).toEqual([]);

    expect(await deliver(de, example, hold.id)).toMatchObject({ action: "committed" });
    const after = await holdOf(hold.id);
    expect(after).toMatchObject({ status: "committed", heldAmount: 0 });
    expect(after.committedAmount).toBeCloseTo(2 * share, 6);
    // The Spanish share no longer counts; the two committed shares count until a snapshot settles them.
    expect((await account("g3")).reserved).toBeCloseTo(before.reserved + 2 * share, 6);
    expect(sentTo(token)).toEqual([
      { token, status: "success", output: expect.objectContaining({ status: "committed" }) },
    ]);
  });

  it("one more: two languages both fail, the text in `failure_message` and in an `error` object: released, InsufficientCredits once", async () => {
    const before = await account("g3x");
    const hold = await reserve(translation("g3x", 2));
    const token = "token-g3x";
    await wait(hold.id, token);
    const first = await deliver(
      `{"event_type":"video_translate.fail","event_data":{"video_translation_id":"vt_more_it","failure_message":"Lip sync failed","callback_id":"${hold.id}"}}`,
      hold.id,
      hold.id,
    );
    expect(first).toMatchObject({ action: "released", reason: "Lip sync failed" });
    expect((await holdOf(hold.id)).status).toBe("held");
    expect(sentTo(token)).toEqual([]);
    const second = await deliver(
      `{"event_type":"video_translate.fail","event_data":{"video_translation_id":"vt_more_pt","error":{"code":"insufficient_credit","message":"Insufficient credits"},"callback_id":"${hold.id}"}}`,
      hold.id,
      hold.id,
    );
    expect(second).toMatchObject({ action: "released" });
    expect(await holdOf(hold.id)).toMatchObject({ status: "released", committedAmount: 0 });
    expect((await account("g3x")).reserved).toBeCloseTo(before.reserved, 6);
    expect(sentTo(token).map((s) => s.status)).toEqual(["InsufficientCredits"]);
  });

  it("two outcomes at once, and one of them delivered twice at once, settle each output once", async () => {
    const hold = await reserve(translation("g3c", 2));
    const token = "token-g3c";
    await wait(hold.id, token);
    const success = (id: string) =>
      `{"event_type":"video_translate.success","event_data":{"video_translate_id":"${id}","callback_id":"${hold.id}"}}`;
    await Promise.all([
      deliver(success("vt_c_fr"), hold.id, hold.id),
      deliver(success("vt_c_de"), hold.id, hold.id),
      deliver(success("vt_c_de"), hold.id, hold.id),
    ]);
    const after = await holdOf(hold.id);
    expect(after).toMatchObject({ status: "committed", heldAmount: 0 });
    expect(after.committedAmount).toBeCloseTo(hold.amount, 6);
    expect(sentTo(token).map((s) => s.status)).toEqual(["success"]);
  });
});

describe("G6: a task that waits again after the hold was settled (redrive)", () => {
  it("the send to T1 fails (task gone), the outcome is kept; /wait with T2 answers waiting:false and sends it at once", async () => {
    const hold = await reserve({ accountId: "g6", durationSeconds: 30, resolution: "1080p" });
    const [t1, t2] = ["token-g6-T1", "token-g6-T2"];
    expect((await wait(hold.id, t1)).body).toMatchObject({ waiting: true });
    gone.add(t1); // StopExecution: the task waiting on T1 is closed.
    sandboxVideo("g6", hold.id, "vid_0000g6demo", 30);
    const success = `{"event_type":"avatar_video.success","event_data":{"video_id":"vid_0000g6demo","callback_id":"${hold.id}"}}`;
    expect(await deliver(success, hold.id, hold.id)).toMatchObject({ action: "committed" });
    expect(sentTo(t1)).toEqual([]);

    const again = await wait(hold.id, t2);
    expect(again.body).toMatchObject({ waiting: false, resultSent: true });
    expect(sentTo(t2)).toEqual([
      {
        token: t2,
        status: "success",
        output: expect.objectContaining({ status: "committed", actualAmount: 1.5 }),
      },
    ]);
  });

  it("one more: a credit failure while the task is gone; the redriven wait gets InsufficientCredits", async () => {
    const hold = await reserve({ accountId: "g6x", durationSeconds: 30 });
    const [t1, t2] = ["token-g6x-T1", "token-g6x-T2"];
    await wait(hold.id, t1);
    gone.add(t1);
    const failure = `{"event_type":"avatar_video.fail","event_data":{"video_id":"vid_0000g6more","failure_code":"MOVIO_PAYMENT_INSUFFICIENT_CREDIT","callback_id":"${hold.id}"}}`;
    expect(await deliver(failure, hold.id, hold.id)).toMatchObject({ action: "released" });
    expect((await wait(hold.id, t2)).body).toMatchObject({ waiting: false, resultSent: true });
    expect(sentTo(t2).map((s) => s.status)).toEqual(["InsufficientCredits"]);
    // A later event of the same job never replaces the stored outcome.
    const late = `{"event_type":"avatar_video.success","event_data":{"video_id":"vid_0000g6more","callback_id":"${hold.id}"}}`;
    expect(await deliver(late, hold.id, hold.id)).toMatchObject({ action: "conflict" });
    const t3 = "token-g6x-T3";
    await wait(hold.id, t3);
    expect(sentTo(t3).map((s) => s.status)).toEqual(["InsufficientCredits"]);
  });
});
