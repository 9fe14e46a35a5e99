import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { type HttpApi, wireHttpApi } from "#runtime/http-wiring";
import {
  adaptersBeside,
  call,
  get,
  PROBLEM_JSON,
  post,
  sandboxKeyOf,
  sandboxOf,
  TestClock,
  testConfig,
} from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";
import { RecordingLog } from "#test/support/recording-log";

/**
 * Field cases G4, G5 and G9 (test/fixtures/field-cases/heygen-2026-12.json) through the local stack, each with
 * one more instance of its own kind, plus the unsigned delivery of issue 19 (a job's callback_url pointed at
 * the guard): the stack verifies with the case's made-up endpoint secret, so the case's exact bytes and
 * signatures are sent as they are, and bodies naming the case's example reservation are re-signed with the
 * id the guard returned.
 */
interface FieldCase {
  id: string;
  headers: Record<string, string>;
  body: unknown;
  expected: Record<string, unknown> & { secret: string; rawBody?: string };
}
const CASES = (
  JSON.parse(
    readFileSync(new URL("../fixtures/field-cases/heygen-2026-12.json", import.meta.url), "utf8"),
  ) as { cases: FieldCase[] }
).cases;
const caseOf = (id: string): FieldCase => {
  const found = CASES.find((c) => c.id === id);
  if (!found) throw new Error(`field case ${id} missing`);
  return found;
};
const G4 = caseOf("G4");
const G5 = caseOf("G5");
const G9 = caseOf("G9");
const SECRET = G4.expected.secret;
const G4_EXAMPLE_ID = "rsv_default_01a2310c0103Hs1gRw9Bd4";
const G9_EXAMPLE_ID = "rsv_default_01a2310c0104Cd0mP5tH6x";
const hmac = (payload: string) => createHmac("sha256", SECRET).update(payload).digest("hex");

interface Hold {
  id: string;
  status: string;
  amount: number;
  actualAmount?: number;
}
interface Receipt {
  received: boolean;
  duplicate: boolean;
  action: string;
  reservationId?: string;
  actualAmount?: number;
  signatureScheme?: string;
  eventId?: string;
}

const clock = new TestClock();
const log = new RecordingLog();
let stack: LocalStack;

beforeAll(async () => {
  expect(SECRET).toBe("whsec_field2DemoSecret00");
  stack = await startTestStack({
    config: testConfig([{ id: "default" }], { checks: { maxBalanceAgeSeconds: 90 * 86400 } }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
    webhookSecret: SECRET,
    log,
  });
  // Setup of G4 and G9: balance recorded, wallet 120 usd.
  sandboxOf(stack).setAccount({
    apiKey: sandboxKeyOf(stack, "default"),
    billingType: "wallet",
    currency: "usd",
    balance: 120,
  });
  clock.advance(1);
  await stack.pollNow(clock.tick());
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const nowSeconds = () => String(Math.floor(clock.now().getTime() / 1000));

async function reserve(): Promise<Hold> {
  const reply = await post<Hold>(stack, "/v1/reservations", {
    accountId: "default",
    durationSeconds: 30,
    resolution: "1080p",
  });
  expect(reply.status).toBe(201);
  expect(reply.body.amount).toBe(1.5);
  return reply.body;
}

/**
 * The case's `GET /v3/videos/{id} -> duration 30.0`: a finished sandbox job under the case's video id whose
 * event the sandbox does not post (the test delivers the case's bytes itself).
 */
async function videoDone(videoId: string, callbackId: string): Promise<void> {
  sandboxOf(stack).createVideo({
    apiKey: sandboxKeyOf(stack, "default"),
    callbackId,
    durationSeconds: 30,
    outcome: "success",
    videoId,
    deliver: false,
  });
  while (
    sandboxOf(stack)
      .videos()
      .find((v) => v.id === videoId)?.status !== "completed"
  ) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const holdOf = async (id: string) => (await get<Hold>(stack, `/v1/reservations/${id}`)).body;

function deliver(raw: string, headers: Record<string, string>) {
  return call<Receipt & { type?: string; detail?: string }>(stack, "POST", "/v1/webhooks/heygen", {
    body: raw,
    headers: { "content-type": "application/json", ...headers },
  });
}

describe("field case G4: v3 Heygen-Signature is the HMAC of the raw body", () => {
  const g4Body = (reservationId: string) =>
    (G4.expected.rawBody as string).replace(G4_EXAMPLE_ID, reservationId);
  const v3Headers = (raw: string, eventId: string, timestamp = nowSeconds()) => ({
    "heygen-signature": hmac(raw),
    "heygen-timestamp": timestamp,
    "heygen-event-id": eventId,
  });

  it("re-signed the same way with the reservation the guard returned, it commits 1.50; the same event id again is a duplicate", async () => {
    const hold = await reserve();
    await videoDone("vid_0000g4demo", hold.id);
    const raw = g4Body(hold.id);
    const reply = await deliver(raw, v3Headers(raw, "evt_0000g4demo-replay"));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ ...(G4.expected.result as object), reservationId: hold.id });
    expect(reply.body).toMatchObject({ action: "committed", actualAmount: 1.5, duplicate: false });
    expect(await holdOf(hold.id)).toMatchObject({ status: "committed", actualAmount: 1.5 });

    // Another body (a failure of another video) under the same Heygen-Event-Id: the delivery id alone makes
    // it a repeat, so it releases nothing.
    const other = raw
      .replace("avatar_video.success", "avatar_video.fail")
      .replaceAll("vid_0000g4demo", "vid_0000g4other");
    const again = await deliver(other, v3Headers(other, "evt_0000g4demo-replay"));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true });
    expect(await holdOf(hold.id)).toMatchObject({ status: "committed", actualAmount: 1.5 });

    const events = await get<{ events: Receipt[] }>(stack, "/v1/accounts/default/events?limit=5");
    expect(events.body.events.find((e) => e.eventId === "evt_0000g4demo-replay")).toMatchObject({
      action: "committed",
      signatureScheme: "heygen-signature",
    });
  });

  it("the case's exact bytes and exact signature verify too (a 200, not a 401)", async () => {
    const reply = await deliver(G4.expected.rawBody as string, {
      "content-type": G4.headers["content-type"] as string,
      "heygen-signature": G4.headers["heygen-signature"] as string,
      "heygen-timestamp": nowSeconds(),
      "heygen-event-id": G4.headers["heygen-event-id"] as string,
    });
    expect(reply.status).toBe(200);
    // Verified, then recognised by its video as the delivery the replay above already settled.
    expect(reply.body).toMatchObject({
      received: true,
      duplicate: true,
      signatureScheme: "heygen-signature",
      eventId: "evt_0000g4demo",
    });
  });

  it("a heygen-timestamp older (or newer) than 5 minutes is a 401 even with a valid body HMAC; the hold stays held", async () => {
    const hold = await reserve();
    const raw = g4Body(hold.id);
    const now = Number(nowSeconds());
    for (const timestamp of [now - 301, now + 301]) {
      const reply = await deliver(raw, v3Headers(raw, `evt_stale_${timestamp}`, String(timestamp)));
      expect(reply.status).toBe(401);
      expect(reply.contentType).toContain(PROBLEM_JSON);
      expect(reply.body.type).toMatch(/\/problems\/unauthorized$/);
    }
    const missing = await deliver(raw, { "heygen-signature": hmac(raw), "heygen-event-id": "evt_no_ts" });
    expect(missing.status).toBe(401);
    expect((await holdOf(hold.id)).status).toBe("held");
  });

  it("one more instance: uppercase hex with a sha256= prefix commits", async () => {
    const hold = await reserve();
    await videoDone("vid_0000g4upper", hold.id);
    const raw = g4Body(hold.id).replaceAll("vid_0000g4demo", "vid_0000g4upper");
    const reply = await deliver(raw, {
      "Heygen-Signature": `sha256=${hmac(raw).toUpperCase()}`,
      "Heygen-Timestamp": nowSeconds(),
      "Heygen-Event-Id": "evt_0000g4upper",
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      action: "committed",
      actualAmount: 1.5,
      signatureScheme: "heygen-signature",
    });
  });
});

describe("unsigned deliveries (a job's callback_url pointed at the guard) are refused visibly", () => {
  it("no signature header: 401 unsigned-delivery saying why and how to fix it, a warn line, and the hold untouched", async () => {
    const hold = await reserve();
    const raw = (G4.expected.rawBody as string).replace(G4_EXAMPLE_ID, hold.id);
    const reply = await deliver(raw, { "heygen-event-id": "evt_unsigned" });
    expect(reply.status).toBe(401);
    expect(reply.contentType).toContain(PROBLEM_JSON);
    expect(reply.body.type).toMatch(/\/problems\/unsigned-delivery$/);
    expect(reply.body.detail).toMatch(/unsigned/);
    expect(reply.body.detail).toMatch(/callback_url/);
    expect(reply.body.detail).toMatch(/webhook endpoint/);
    expect(await holdOf(hold.id)).toMatchObject({ status: "held" });
    const [line, ...more] = log.find("WARN", "HeyGen webhook delivery refused: unsigned");
    expect(more).toEqual([]);
    expect(line).toContain("callback_url");
    expect(line).toContain(hold.id);
    expect(log.lines.join("\n")).not.toContain(SECRET);
  });

  it("one more instance: blank signature headers are unsigned too; a bad signature stays a 401 that says nothing of why", async () => {
    const hold = await reserve();
    const raw = (G4.expected.rawBody as string).replace(G4_EXAMPLE_ID, hold.id);
    const blank = await deliver(raw, {
      signature: " ",
      "heygen-signature": "",
      "heygen-timestamp": nowSeconds(),
    });
    expect(blank.status).toBe(401);
    expect(blank.body.type).toMatch(/\/problems\/unsigned-delivery$/);
    const bad = await deliver(raw, { signature: "0".repeat(64) });
    expect(bad.status).toBe(401);
    expect(bad.body.type).toMatch(/\/problems\/unauthorized$/);
    expect(bad.body.detail).toBe("The request is not authenticated.");
    expect((await holdOf(hold.id)).status).toBe("held");
  });
});

describe("field case G5: HeyGen's OPTIONS validation probe", () => {
  it(`${G5.expected.request}: 2xx with Allow: POST, OPTIONS, reading no store and no secret`, async () => {
    const reads = { store: 0, secret: 0 };
    const { store, webhookSecret } = stack.services;
    // Any store use or secret read during the probe is counted (and a secret read would fail it).
    stack.services.store = new Proxy(store, {
      get(target, property, receiver) {
        reads.store++;
        return Reflect.get(target, property, receiver);
      },
    });
    stack.services.webhookSecret = async () => {
      reads.secret++;
      throw new Error("the OPTIONS probe read the webhook secret");
    };
    try {
      const reply = await fetch(`${stack.url}/v1/webhooks/heygen`, {
        method: "OPTIONS",
        headers: { "user-agent": "HeyGen endpoint validator (test)" },
      });
      expect(reply.status).toBe(204);
      expect(reply.headers.get("allow")).toBe(
        (G5.expected.answer as { headers: { allow: string } }).headers.allow,
      );
      expect(await reply.text()).toBe("");
      expect(reads).toEqual({ store: 0, secret: 0 });
      // The counters count: a signed delivery does read both.
      stack.services.webhookSecret = async () => {
        reads.secret++;
        return SECRET;
      };
      const raw = `{"event_type":"avatar_video.success","event_data":{"video_id":"vid_g5","callback_id":"${G4_EXAMPLE_ID}"}}`;
      expect((await deliver(raw, { signature: hmac(raw) })).status).toBe(200);
      expect(reads.secret).toBe(1);
      expect(reads.store).toBeGreaterThan(0);
    } finally {
      stack.services.store = store;
      if (webhookSecret) stack.services.webhookSecret = webhookSecret;
    }
  });

  it("one more instance: a probe with an Origin, a query string and a body is answered the same, and other methods are told Allow", async () => {
    const reply = await fetch(`${stack.url}/v1/webhooks/heygen?validate=1`, {
      method: "OPTIONS",
      headers: { origin: "https://app.heygen.com", "content-type": "text/plain" },
      body: "ping",
    });
    expect(reply.status).toBe(204);
    expect(reply.headers.get("allow")).toBe("POST, OPTIONS");
    const get405 = await call(stack, "GET", "/v1/webhooks/heygen");
    expect(get405.status).toBe(405);
    expect(get405.headers.get("allow")).toBe("POST, OPTIONS");
  });
});

describe("field case G9: behind a custom domain's API mapping key, rawPath keeps the key", () => {
  const context = { awsRequestId: "g9" } as Context;
  const observed = { unsigned: 0 };
  let api: HttpApi;

  beforeAll(() => {
    // The stack's wiring over its table and sandbox, invoked with payload-2.0 events as API Gateway sends them.
    api = wireHttpApi(
      { ...adaptersBeside(stack, { now: clock.now }), webhookSecret: async () => SECRET },
      { unsignedDelivery: () => observed.unsigned++ },
    );
  });

  const template = G9.body as APIGatewayProxyEventV2;
  /** The case's event for another route, path or body; the route key is what API Gateway matched. */
  function eventFor(routeKey: string, rawPath: string, options: { body?: string; stage?: string } = {}) {
    const [method] = routeKey.split(" ");
    const headers: Record<string, string> = { ...template.headers } as Record<string, string>;
    if (options.body === undefined) {
      delete headers.signature;
      delete headers["content-type"];
      delete headers["content-length"];
    } else {
      headers["content-length"] = String(Buffer.byteLength(options.body));
    }
    const event: APIGatewayProxyEventV2 = {
      ...template,
      routeKey,
      rawPath,
      headers,
      requestContext: {
        ...template.requestContext,
        routeKey,
        stage: options.stage ?? template.requestContext.stage,
        http: { ...template.requestContext.http, method: method as string, path: rawPath },
      },
      isBase64Encoded: false,
    };
    if (options.body === undefined) delete event.body;
    else event.body = options.body;
    return event;
  }
  const invoke = async (event: APIGatewayProxyEventV2) => {
    const result = (await api.handle(event, context)) as APIGatewayProxyStructuredResultV2;
    return { status: result.statusCode, body: JSON.parse(result.body || "{}") as Record<string, unknown> };
  };

  it("the case's event re-signed with the reservation the guard returned commits it", async () => {
    const hold = await reserve();
    const raw = (template.body as string).replace(G9_EXAMPLE_ID, hold.id);
    const event = eventFor(template.routeKey, template.rawPath, { body: raw });
    event.headers.signature = hmac(raw);
    const reply = await invoke(event);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ received: true, action: "committed", reservationId: hold.id });
    expect((await holdOf(hold.id)).status).toBe("committed");
  });

  it("the case's exact event verifies and routes (200, not 404)", async () => {
    const reply = await invoke(structuredClone(template));
    expect(reply.status).toBe(200);
    // Verified and routed, then recognised by its video as the delivery the replay above settled.
    expect(reply.body).toMatchObject({ received: true, duplicate: true, signatureScheme: "signature" });
  });

  it("GET /quota-guard/v1/health is 200", async () => {
    const reply = await invoke(eventFor("GET /v1/health", "/quota-guard/v1/health"));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: "ok" });
  });

  it("one more instance: a path-parameter route, behind the key and in a named stage", async () => {
    const hold = await reserve();
    for (const [prefix, stage] of [
      ["/quota-guard", "$default"],
      ["/prod", "prod"],
      ["/quota-guard/prod", "prod"],
    ] as const) {
      const reply = await invoke(
        eventFor("GET /v1/reservations/{id}", `${prefix}/v1/reservations/${hold.id}`, { stage }),
      );
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ id: hold.id, status: "held" });
    }
    // A prefix that does not end in the matched route is not cut blindly: nothing by that path here.
    const odd = await invoke(eventFor("GET /v1/reservations/{id}", `/quota-guard/v1/accounts/${hold.id}`));
    expect(odd.status).toBe(404);
  });

  it("the OPTIONS probe behind the key too, and an unsigned delivery is counted for the metric", async () => {
    const probe = (await api.handle(
      eventFor("OPTIONS /v1/webhooks/heygen", "/quota-guard/v1/webhooks/heygen"),
      context,
    )) as APIGatewayProxyStructuredResultV2;
    expect(probe.statusCode).toBe(204);
    expect(probe.headers?.allow).toBe("POST, OPTIONS");
    const raw = template.body as string;
    const unsigned = eventFor(template.routeKey, template.rawPath, { body: raw });
    delete unsigned.headers.signature;
    expect((await invoke(unsigned)).status).toBe(401);
    const forged = eventFor(template.routeKey, template.rawPath, { body: raw });
    forged.headers.signature = "f".repeat(64);
    expect((await invoke(forged)).status).toBe(401);
    expect(observed.unsigned).toBe(1);
  });
});
