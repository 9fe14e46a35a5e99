import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signHeyGenEvent } from "#core/webhook-signature";
import type { LocalStack } from "#local/stack";
import { call, get, PROBLEM_JSON, post, sandboxKeyOf, sandboxOf, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/**
 * HeyGen webhooks settle holds, through the local stack and the sandbox's simulated jobs: the sandbox posts
 * each job's event, signed as HeyGen signs, to POST /v1/webhooks/heygen.
 */
const F12 = (
  JSON.parse(
    readFileSync(new URL("../fixtures/field-cases/heygen-2026-11.json", import.meta.url), "utf8"),
  ) as { cases: { id: string; body: { event_type: string; event_data: Record<string, unknown> } }[] }
).cases.find((c) => c.id === "F12");

let stack: LocalStack;

interface Hold {
  id: string;
  status: string;
  amount: number;
  committedAmount: number;
  actualAmount?: number;
  commitBasis?: string;
}

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "hooks" }, { id: "broke" }, { id: "tight" }]),
    env: {},
    pollIntervalSeconds: 0,
  });
  sandboxOf(stack).setBalance(sandboxKeyOf(stack, "tight"), 7);
  await stack.pollNow();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const account = async (id = "hooks") => {
  const { remaining, reserved, available } = (
    await get<{ remaining: number; reserved: number; available: number }>(stack, `/v1/accounts/${id}`)
  ).body;
  return { remaining, reserved, available };
};

async function reserve(accountId = "hooks", durationSeconds = 120): Promise<Hold> {
  const reply = await post<Hold>(stack, "/v1/reservations", { accountId, durationSeconds });
  expect(reply.status).toBe(201);
  return reply.body;
}

/**
 * Starts a sandbox job for the hold and waits until the guard has answered its webhook delivery; `ms` is
 * from the job's start (its event is sent 10 ms later) to the guard's answer, the hold settled.
 */
async function job(
  hold: Hold,
  outcome: "success" | "fail" | "insufficient_credit",
  options: { durationSeconds?: number; durationInEvent?: boolean; accountId?: string } = {},
) {
  const { videoId } = sandboxOf(stack).createVideo({
    apiKey: sandboxKeyOf(stack, options.accountId ?? "hooks"),
    callbackId: hold.id,
    durationSeconds: options.durationSeconds ?? 90,
    outcome,
    afterMs: 10,
    durationInEvent: options.durationInEvent ?? false,
  });
  const started = Date.now();
  for (;;) {
    const delivered =
      sandboxOf(stack)
        .videos()
        .find((v) => v.id === videoId)?.deliveries ?? [];
    if (delivered.length > 0) {
      const ms = Date.now() - started;
      expect(delivered).toEqual([200]);
      return { videoId, hold: (await get<Hold>(stack, `/v1/reservations/${hold.id}`)).body, ms };
    }
    if (Date.now() - started > 5_000) throw new Error(`hold ${hold.id} not settled within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function webhook(body: unknown, headers?: Record<string, string>) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  return call<Record<string, unknown>>(stack, "POST", "/v1/webhooks/heygen", {
    body: raw,
    headers: {
      "content-type": "application/json",
      ...(headers ?? signHeyGenEvent(raw, stack.webhookSecret, Date.now() / 1000)),
    },
  });
}

describe("POST /v1/webhooks/heygen settles holds", () => {
  it("a success event commits the hold at the job priced at the duration HeyGen reports", async () => {
    const hold = await reserve();
    expect(hold.amount).toBe(6); // 120 s on the default card
    const before = await account();
    const { hold: after, videoId } = await job(hold, "success", { durationSeconds: 90 });
    // No duration in the event: read from GET /v3/videos/{id}, priced by the hold's card and spec.
    expect(after).toMatchObject({ status: "committed", actualAmount: 4.5, commitBasis: "video-duration" });
    expect((await account()).reserved).toBe(before.reserved - 6 + 4.5);
    // The sandbox signs as HeyGen v3 does (body HMAC, Heygen-Timestamp, Heygen-Event-Id; field case G4).
    const { events } = (await get<{ events: Record<string, unknown>[] }>(stack, "/v1/accounts/hooks/events"))
      .body;
    expect(events.find((e) => e.videoId === videoId)).toMatchObject({
      signatureScheme: "heygen-signature",
      eventId: expect.stringMatching(/^evt_/),
    });
  });

  it.each([
    ["signature", "signature"],
    ["v3+signature", "signature"],
  ] as const)("the sandbox can sign the legacy way too (%s): recorded as %s", async (signing, scheme) => {
    const url = `${stack.url}/v1/webhooks/heygen`;
    await sandboxOf(stack).setWebhook({ url, secret: stack.webhookSecret, signing });
    try {
      const { hold: after, videoId } = await job(await reserve(), "success");
      expect(after.status).toBe("committed");
      const { events } = (
        await get<{ events: Record<string, unknown>[] }>(stack, "/v1/accounts/hooks/events")
      ).body;
      expect(events.find((e) => e.videoId === videoId)).toMatchObject({ signatureScheme: scheme });
    } finally {
      await sandboxOf(stack).setWebhook({ url, secret: stack.webhookSecret });
    }
  });

  it("a duration in the event is used first", async () => {
    const hold = await reserve();
    const { hold: after } = await job(hold, "success", { durationSeconds: 60, durationInEvent: true });
    expect(after).toMatchObject({ status: "committed", actualAmount: 3, commitBasis: "event-duration" });
  });

  it("a hold made of an amount, with no spec, commits the held amount", async () => {
    const held = await post<Hold>(stack, "/v1/reservations", { accountId: "hooks", amount: 2 });
    const { hold: after } = await job(held.body, "success");
    expect(after).toMatchObject({ status: "committed", actualAmount: 2, commitBasis: "held-amount" });
  });

  it("a spec with a number DynamoDB cannot store (5e-324) still reserves, and is priced from it", async () => {
    // Found by the fuzz suite: the spec kept for webhooks was stored as a DynamoDB map, a 500.
    const reply = await post<Hold & { spec: { durationSeconds: number } }>(stack, "/v1/reservations", {
      accountId: "hooks",
      durationSeconds: 5e-324,
    });
    expect(reply.status).toBe(201);
    expect(
      (await get<Hold & { spec: unknown }>(stack, `/v1/reservations/${reply.body.id}`)).body.spec,
    ).toEqual(reply.body.spec);
    const { hold: after } = await job(reply.body, "success", { durationSeconds: 30 });
    expect(after).toMatchObject({ status: "committed", actualAmount: 1.5, commitBasis: "video-duration" });
  });

  it("a video longer than held is committed whole, the excess taken from available", async () => {
    const hold = await reserve("tight"); // 6 of 7
    const { hold: after } = await job(hold, "success", { accountId: "tight", durationSeconds: 300 });
    expect(after).toMatchObject({ status: "committed", actualAmount: 15, commitBasis: "video-duration" });
    expect((await account("tight")).available).toBe(7 - 15);
  });

  it("a fail event releases the hold", async () => {
    const before = await account();
    const hold = await reserve();
    const { hold: after } = await job(hold, "fail");
    expect(after.status).toBe("released");
    expect((await account()).reserved).toBe(before.reserved);
  });

  it("an insufficient-credit failure releases, reads the empty balance at once, and alerts", async () => {
    const hold = await reserve("broke");
    const { hold: after, ms } = await job(hold, "insufficient_credit", { accountId: "broke" });
    expect(after.status).toBe("released");
    expect(ms).toBeLessThan(5_000);
    // No pollNow: the webhook's own reading recorded the empty wallet and alerted.
    expect((await account("broke")).remaining).toBe(0);
    const alerts = (await get<{ alerts: { level: string }[] }>(stack, "/v1/accounts/broke/alerts")).body
      .alerts;
    expect(alerts.map((a) => a.level)).toContain("exhausted");
    const events = (
      await get<{ events: { action: string; reason?: string }[] }>(stack, "/v1/accounts/broke/events")
    ).body.events;
    expect(events[0]).toMatchObject({ action: "released" });
    expect(events[0]?.reason).toContain("MOVIO_PAYMENT_INSUFFICIENT_CREDIT");
  });
});

describe("what the webhook refuses or ignores changes nothing", () => {
  const success = (callbackId: string, videoId = "vid_manual") => ({
    event_type: "avatar_video.success",
    event_data: { video_id: videoId, callback_id: callbackId, duration: 30 },
  });

  it("a bad signature gets 401 with no detail, a missing one 401 unsigned-delivery, and the hold stays held", async () => {
    const hold = await reserve();
    const body = JSON.stringify(success(hold.id));
    for (const headers of [
      { signature: "0".repeat(64) },
      signHeyGenEvent(body, "whsec_other", Date.now() / 1000),
      signHeyGenEvent(body, "whsec_other", Date.now() / 1000, { scheme: "signature" }),
    ]) {
      const reply = await webhook(body, headers);
      expect(reply.status).toBe(401);
      expect(reply.contentType).toContain(PROBLEM_JSON);
      expect(reply.body).toMatchObject({ detail: "The request is not authenticated." });
      expect(JSON.stringify(reply.body)).not.toContain(hold.id);
    }
    const unsigned = await webhook(body, {});
    expect(unsigned.status).toBe(401);
    expect(String(unsigned.body.type)).toMatch(/\/problems\/unsigned-delivery$/);
    expect(JSON.stringify(unsigned.body)).not.toContain(hold.id);
    // A body-HMAC Heygen-Signature whose timestamp is outside the 5-minute window.
    const old = signHeyGenEvent(body, stack.webhookSecret, Date.now() / 1000 - 600);
    expect(
      (
        await webhook(body, {
          "heygen-timestamp": old["heygen-timestamp"] as string,
          "heygen-signature": old["heygen-signature"] as string,
        })
      ).status,
    ).toBe(401);
    expect((await get<Hold>(stack, `/v1/reservations/${hold.id}`)).body.status).toBe("held");
  });

  it.each([["heygen-signature-timestamped"], ["signature"]] as const)(
    "the %s scheme alone is accepted (and recorded as such)",
    async (scheme) => {
      const hold = await reserve();
      const body = JSON.stringify(success(hold.id, `vid_${scheme}`));
      const reply = await webhook(
        body,
        signHeyGenEvent(body, stack.webhookSecret, Date.now() / 1000, { scheme }),
      );
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ action: "committed", signatureScheme: scheme });
      expect((await get<Hold>(stack, `/v1/reservations/${hold.id}`)).body.status).toBe("committed");
    },
  );

  it("a replayed event (same type and video id, or same event id) has no second effect", async () => {
    const hold = await reserve();
    const first = await webhook({ ...success(hold.id, "vid_replay"), event_id: "evt-1" });
    expect(first.body).toMatchObject({ action: "committed", duplicate: false });
    const afterFirst = await account();
    const again = await webhook({ ...success(hold.id, "vid_replay"), event_id: "evt-1" });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true });
    const sameId = await webhook({ ...success(hold.id, "vid_other"), event_id: "evt-1" });
    expect(sameId.body).toMatchObject({ duplicate: true });
    expect(await account()).toEqual(afterFirst);
    const events = (
      await get<{ events: { videoId: string }[] }>(stack, "/v1/accounts/hooks/events?limit=100")
    ).body.events;
    expect(events.filter((e) => e.videoId === "vid_replay")).toHaveLength(1);
  });

  it("an event for a hold the pipeline already settled follows the reservations' idempotency rules", async () => {
    const hold = await reserve();
    expect((await post(stack, `/v1/reservations/${hold.id}/release`)).status).toBe(200);
    const reply = await webhook({
      event_type: "avatar_video.fail",
      event_data: { video_id: "vid_settled", callback_id: hold.id, msg: "render failed" },
    });
    expect(reply.body).toMatchObject({ action: "replayed" });
    const late = await webhook(success(hold.id, "vid_settled_2"));
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ action: "conflict" });
    expect((await get<Hold>(stack, `/v1/reservations/${hold.id}`)).body.status).toBe("released");
  });

  it("an unknown callback_id gets 200 and changes nothing", async () => {
    const before = await account();
    const unknownOfOurs = "rsv_hooks_AAAAAAAAAAAAAAAAAAAAAA";
    for (const callbackId of ["job-42", unknownOfOurs]) {
      const reply = await webhook(success(callbackId, `vid_${callbackId}`));
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ action: "unknown-reservation" });
    }
    expect(await account()).toEqual(before);
  });

  it("event types that settle nothing are answered 200", async () => {
    const reply = await webhook({ event_type: "avatar_video_gif.success_pending", event_data: {} });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ action: "ignored" });
  });

  it("over 64 KiB gets 413; bad JSON or shape a 400 problem naming the field", async () => {
    expect((await webhook("x".repeat(64 * 1024 + 1))).status).toBe(413);
    const malformed = await webhook("{not json");
    expect([malformed.status, malformed.contentType]).toEqual([400, PROBLEM_JSON]);
    const shapeless = await webhook({ event_type: 7, event_data: {} });
    expect(shapeless.status).toBe(400);
    expect((shapeless.body.errors as { pointer: string }[]).map((e) => e.pointer)).toContain("/event_type");
  });
});

describe("field case F12 through the webhook", () => {
  it("the fail event with MOVIO_PAYMENT_INSUFFICIENT_CREDIT releases the hold named by callback_id", async () => {
    if (!F12) throw new Error("F12 missing from the fixture");
    sandboxOf(stack).setBalance(sandboxKeyOf(stack, "hooks"), 120);
    const hold = await post<Hold>(
      stack,
      "/v1/reservations",
      { accountId: "hooks", durationSeconds: 120 },
      { "Idempotency-Key": F12.body.event_data.callback_id as string },
    );
    // As sent, its callback_id (job-42) is the pipeline's own id, not a reservation: logged, nothing changes.
    const asSent = await webhook(F12.body);
    expect(asSent.body).toMatchObject({ action: "unknown-reservation" });
    expect((await get<Hold>(stack, `/v1/reservations/${hold.body.id}`)).body.status).toBe("held");
    // With callback_id set to the reservation id, as docs/webhooks.md tells pipelines to: released.
    const sandbox = sandboxOf(stack);
    sandbox.setBalance(sandboxKeyOf(stack, "hooks"), 0);
    const reply = await webhook({
      ...F12.body,
      event_data: { ...F12.body.event_data, callback_id: hold.body.id },
    });
    expect(reply.body).toMatchObject({ action: "released", reservationId: hold.body.id });
    expect((await account()).remaining).toBe(0);
    const alerts = (await get<{ alerts: { level: string }[] }>(stack, "/v1/accounts/hooks/alerts")).body
      .alerts;
    expect(alerts.map((a) => a.level)).toContain("exhausted");
  });
});
