import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as z from "zod";
import { ROUTES } from "#api/route-table";
import { signHeyGenEvent } from "#core/webhook-signature";
import type { LocalStack } from "#local/stack";
import { testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";
import { type RawReply, type RawRequest, rawRequest } from "#test/support/raw-http";
import { RecordingLog } from "#test/support/recording-log";
import { scanTable, userVisibleContent } from "#test/support/table-scan";

/**
 * Hostile and malformed requests through the real HTTP adapter. The oracle, per request:
 * - the status is one the API documents for a client's request: 200, 201, 204 (the webhook's OPTIONS probe),
 *   400, 401 (the webhook), 404, 405, 409, 413, 415 or 422 — never a 5xx (DynamoDB and HeyGen are healthy
 *   here, so no 503 either);
 * - every 4xx is `application/problem+json` whose body repeats the status; every 2xx but a bodiless 204 is
 *   JSON;
 * - a request answered 4xx changed nothing a user can see in the table (every item compared, see
 *   userVisibleContent), and nothing reached Object.prototype of the process serving the API;
 * - the router never reported an unexpected error.
 */

// FUZZ_RUNS=20000 npx vitest run test/reliability/api-fuzz.test.ts fuzzes deeper than npm test does.
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
const ALLOWED = new Set([200, 201, 204, 400, 401, 404, 405, 409, 413, 415, 422]);

const HOSTILE_WORDS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "../../etc/passwd",
  "..",
  "%2e%2e",
  "..%2F..%2Fv1%2Fhealth",
  "%00",
  "%ff%fe",
  "%",
  "default",
  "DEFAULT",
  "rsv_default_AAAAAAAAAAAAAAAAAAAAAA",
  "rsv_default_",
  "rsv___proto___AAAAAAAAAAAAAAAAAAAAAA",
  "rsv_nobody_AAAAAAAAAAAAAAAAAAAAAA",
  "𝕳𝖊𝖞𝕲𝖊𝖓",
  "\u202e\u0000",
  "a".repeat(300),
];

const hostileText = fc.oneof(
  fc.constantFrom(...HOSTILE_WORDS),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
);

/** Reservations made before the run, so commit, release and GET also meet ids that exist. */
const knownIds: string[] = [];
const knownId = fc.nat().map((n) => knownIds[n % Math.max(1, knownIds.length)] ?? "none");

/** A path segment: hostile text percent-encoded, raw traversal and encoded junk as is, or a real id. */
const segment = fc.oneof(
  knownId,
  hostileText.map((text) => encodeURIComponent(text)),
  fc.constantFrom("..", ".", "%2e%2e", "..%2F..", "%00", "%25", "%C0%AE", "%ff", "a;b", "a%3Fb=c", "@evil"),
);

const query = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom("limit", "since", "until", "__proto__", "constructor", "x"),
        fc.string({ maxLength: 8 }),
      ),
      fc.oneof(
        fc.constantFrom(
          "1e309",
          "-1",
          "0",
          "1001",
          "NaN",
          "2026-13-45T00:00:00Z",
          "2026-01-01T00:00:00Z",
          "[]",
          "{}",
        ),
        fc.string({ maxLength: 20 }),
      ),
    ),
    { maxLength: 4 },
  )
  .map((pairs) =>
    pairs.length
      ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")}`
      : "",
  );

const path = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("/v1/checks", "/v1/estimates", "/v1/reservations") },
  fc.constantFrom(
    "/v1/health",
    "/v1/rate-cards",
    "/openapi.json",
    "/v1/accounts",
    "//v1//checks",
    "/v1/checks/",
    "/V1/CHECKS",
    "/v1/accounts/default/../../v1/reservations",
    "/v1/webhooks/heygen",
  ),
  fc.tuple(segment, query).map(([id, q]) => `/v1/reservations/${id}${q}`),
  fc
    .tuple(segment, fc.constantFrom("commit", "release", "..", "commit/extra"))
    .map(([id, action]) => `/v1/reservations/${id}/${action}`),
  fc
    .tuple(segment, fc.constantFrom("", "/history", "/alerts", "/events", "/refresh", "/nope"), query)
    .map(([id, tail, q]) => `/v1/accounts/${id}${tail}${q}`),
  fc.tuple(segment, segment).map(([a, b]) => `/${a}/${b}`),
);

const json = (value: unknown) => JSON.stringify(value);
const nested = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);

const anything = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(1e308, -1, 0, -0, 5e-324, Number.MAX_SAFE_INTEGER + 2, 1_000_000_001, 0.1 + 0.2),
  hostileText,
);

/** Bodies shaped like the API's, with hostile values in the known fields and unknown keys next to them. */
const nearlyValid = fc
  .record(
    {
      accountId: hostileText,
      amount: anything,
      ttlSeconds: anything,
      actualAmount: anything,
      durationSeconds: anything,
      script: hostileText,
      voiceSpeed: anything,
      scenes: fc.array(fc.record({ durationSeconds: anything, script: hostileText }, { requiredKeys: [] }), {
        maxLength: 3,
      }),
      jobs: fc.array(fc.dictionary(hostileText, anything, { maxKeys: 3 }), { maxLength: 3 }),
      resolution: fc.oneof(fc.constantFrom("720p", "1080p", "4k", "8k"), hostileText),
      rateCard: fc.oneof(
        fc.constantFrom("heygen-payg-2026-05", "heygen-payg-2026", "heygen-api-credits-2025", "__proto__"),
        hostileText,
      ),
      type: hostileText,
      engine: hostileText,
      test: anything,
      extra: anything,
    },
    { requiredKeys: [] },
  )
  .map(json);

/** Bodies that pass validation more often, so the fuzz also reaches estimates, 409s, 422s and holds. */
const plausible = fc
  .oneof(
    fc.record({ amount: fc.double({ min: 0.001, max: 50, noNaN: true }) }),
    fc.record(
      {
        durationSeconds: fc.oneof(
          fc.integer({ min: 1, max: 7200 }),
          fc.double({ min: 0, max: 1e12, noNaN: true }),
        ),
        resolution: fc.constantFrom("720p", "1080p", "4k"),
        rateCard: fc.constantFrom(
          "heygen-payg-2026-05",
          "heygen-web-credits-2026-05",
          "heygen-payg-2026",
          "heygen-api-credits-2025",
          "heygen-skill-guide",
        ),
        accountId: fc.constantFrom("default", "other"),
        test: fc.boolean(),
      },
      { requiredKeys: ["durationSeconds"] },
    ),
    fc.record({
      script: fc.string({ unit: "grapheme", maxLength: 200 }),
      voiceSpeed: fc.double({ min: 0, max: 5 }),
    }),
    fc.record({
      jobs: fc.array(
        fc.record({
          durationSeconds: fc.integer({ min: 1, max: 600 }),
          count: fc.integer({ min: -1, max: 1000 }),
        }),
        { maxLength: 4 },
      ),
    }),
    fc.record({ actualAmount: fc.double({ min: 0, max: 10, noNaN: true }) }),
  )
  .map(json);

const body = fc.oneof(
  { weight: 4, arbitrary: plausible },
  fc.constant(undefined),
  fc.jsonValue().map(json),
  nearlyValid,
  fc.constantFrom(
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"durationSeconds":10,"__proto__":{"polluted":true}}',
    '{"amount":1,"__proto__":{"amount":1000000}}',
    '{"jobs":[{"durationSeconds":5,"__proto__":{"count":1000000}}]}',
    '{"amount":1e309}',
    '{"amount":1e-400}',
    '{"durationSeconds":123456789012345678901234567890}',
    '{"amount":1,"amount":2}',
    "{",
    "null",
    "[]",
    '"text"',
    "\uFEFF{}",
  ),
  fc.integer({ min: 50, max: 20_000 }).map((depth) => nested(depth, "[", "]")),
  fc.integer({ min: 50, max: 5_000 }).map((depth) => `${'{"jobs":'.repeat(depth)}1${"}".repeat(depth)}`),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
  fc.integer({ min: 64 * 1024 - 16, max: 80 * 1024 }).map((size) => json({ script: "a".repeat(size) })),
);

const contentType = fc.option(
  fc.constantFrom(
    "application/json",
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/problem+json",
    "application/vnd.api+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "json",
    "application/jsonx",
  ),
  { nil: undefined },
);

const visibleAscii = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 300,
});

const hostileRequest: fc.Arbitrary<RawRequest> = fc
  .record({
    method: fc.constantFrom(
      "GET",
      "POST",
      "POST",
      "POST",
      "POST",
      "POST",
      "POST",
      "PUT",
      "PATCH",
      "DELETE",
      "HEAD",
      "OPTIONS",
      "PROPFIND",
      "TRACE",
      "PURGE",
    ),
    path,
    body,
    contentType,
    idempotencyKey: fc.option(visibleAscii, { nil: undefined }),
    junkHeaderBytes: fc.option(fc.integer({ min: 1, max: 12_000 }), { nil: undefined }),
  })
  .map(({ method, path, body, contentType, idempotencyKey, junkHeaderBytes }) => ({
    method,
    path,
    ...(body === undefined ? {} : { body }),
    headers: {
      ...(contentType ? { "content-type": contentType } : {}),
      ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
      ...(junkHeaderBytes ? { "x-junk": "j".repeat(junkHeaderBytes) } : {}),
    },
  }));

/** Every way the oracle can reject an answer; empty when the answer is acceptable. */
function oracleViolations(request: RawRequest, reply: RawReply): string[] {
  const violations: string[] = [];
  if (!ALLOWED.has(reply.status)) violations.push(`status ${reply.status}`);
  const type = String(reply.headers["content-type"] ?? "");
  if (request.method === "HEAD") return violations;
  if (reply.status >= 400) {
    if (type !== "application/problem+json") violations.push(`4xx content-type ${type}`);
    const problem = JSON.parse(reply.body) as { status?: unknown; title?: unknown; type?: unknown };
    if (
      problem.status !== reply.status ||
      typeof problem.title !== "string" ||
      typeof problem.type !== "string"
    ) {
      violations.push(`problem body ${reply.body.slice(0, 200)}`);
    }
  } else if (reply.status === 204) {
    if (reply.body !== "") violations.push(`204 with a body ${reply.body.slice(0, 200)}`);
  } else if (!type.startsWith("application/json")) {
    violations.push(`2xx content-type ${type}`);
  }
  return violations;
}

describe("API fuzzing through the HTTP adapter", () => {
  const log = new RecordingLog();
  let stack: LocalStack;
  const figures = { requests: 0, byStatus: new Map<number, number>() };

  beforeAll(async () => {
    stack = await startTestStack({ env: {}, log, pollIntervalSeconds: 0 });
    await stack.pollNow();
    for (const amount of [1, 2, 3]) {
      const reply = await rawRequest(stack.url, {
        method: "POST",
        path: "/v1/reservations",
        headers: { "content-type": "application/json" },
        body: json({ amount }),
      });
      knownIds.push((JSON.parse(reply.body) as { id: string }).id);
    }
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const table = () => scanTable(stack.dynamo.doc, stack.tableName);

  it(`answers ${FUZZ_RUNS} hostile requests with 4xx problems (or a valid answer), writes nothing when it refuses`, async () => {
    let before = userVisibleContent(await table());
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (request) => {
        const reply = await rawRequest(stack.url, request);
        figures.requests++;
        figures.byStatus.set(reply.status, (figures.byStatus.get(reply.status) ?? 0) + 1);
        expect(oracleViolations(request, reply)).toEqual([]);
        const after = userVisibleContent(await table());
        if (reply.status >= 400) expect(after).toEqual(before);
        before = after;
        expect(Object.keys(Object.prototype)).toEqual([]);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: FUZZ_RUNS },
    );
    expect(figures.requests).toBeGreaterThanOrEqual(FUZZ_RUNS);
    expect(log.find("ERROR", "unexpected")).toEqual([]);
    expect((await fetch(`${stack.url}/v1/health`)).status).toBe(200);
    if (process.env.RELIABILITY_FIGURES) {
      console.info("fuzz figures", figures.requests, Object.fromEntries(figures.byStatus));
    }
  }, 120_000);

  it(`answers ${FUZZ_RUNS / 4} webhook deliveries with random bodies and signatures without a 5xx; unsigned ones write nothing`, async () => {
    let before = userVisibleContent(await table());
    const eventBody = fc
      .record(
        {
          event_type: fc.oneof(
            fc.constantFrom("avatar_video.success", "avatar_video.fail", "video_translate.fail", "x.success"),
            hostileText,
          ),
          event_id: fc.oneof(hostileText, fc.constant(undefined)),
          event_data: fc.oneof(
            fc.record(
              {
                video_id: fc.oneof(hostileText, fc.constant("vid_fuzz")),
                callback_id: fc.oneof(knownId, hostileText, fc.constant(null)),
                duration: anything,
                msg: fc.oneof(
                  fc.constant("MOVIO_PAYMENT_INSUFFICIENT_CREDIT: Insufficient credit"),
                  hostileText,
                ),
                failure_code: anything,
              },
              { requiredKeys: [] },
            ),
            anything,
          ),
        },
        { requiredKeys: [] },
      )
      .map(json);
    const delivery = fc.record({
      body: fc.oneof(
        { weight: 3, arbitrary: eventBody },
        body.map((b) => b ?? ""),
      ),
      signing: fc.constantFrom("none", "right", "wrong-secret", "forged", "stale", "timestamp-only"),
      forged: visibleAscii,
      contentType,
    });
    await fc.assert(
      fc.asyncProperty(delivery, async ({ body: raw, signing, forged, contentType: type }) => {
        const now = Date.now() / 1000;
        const signed = signHeyGenEvent(raw, stack.webhookSecret, now);
        const headers: Record<string, string> =
          signing === "right"
            ? signed
            : signing === "wrong-secret"
              ? signHeyGenEvent(raw, "whsec_wrong", now)
              : signing === "forged"
                ? {
                    signature: forged,
                    "heygen-signature": forged,
                    "heygen-timestamp": String(Math.floor(now)),
                  }
                : signing === "stale"
                  ? (({ signature: _s, ...rest }) => rest)(
                      signHeyGenEvent(raw, stack.webhookSecret, now - 301),
                    )
                  : signing === "timestamp-only"
                    ? (({ signature: _s, ...rest }) => rest)(signed)
                    : {};
        const request: RawRequest = {
          method: "POST",
          path: "/v1/webhooks/heygen",
          body: raw,
          headers: { ...(type ? { "content-type": type } : {}), ...headers },
        };
        const reply = await rawRequest(stack.url, request);
        expect(oracleViolations(request, reply)).toEqual([]);
        const verifiable = signing === "right" || signing === "timestamp-only";
        if (!verifiable && Buffer.byteLength(raw) <= 64 * 1024) expect(reply.status).toBe(401);
        const after = userVisibleContent(await table());
        if (reply.status >= 400) expect(after).toEqual(before);
        before = after;
      }),
      { numRuns: FUZZ_RUNS / 4 },
    );
    expect(log.find("ERROR", "unexpected")).toEqual([]);
  }, 120_000);

  it(`answers ${FUZZ_RUNS / 4} deliveries across every signature scheme and header variant without a 5xx; only validly signed ones change anything`, async () => {
    let before = userVisibleContent(await table());
    const seen = new Map<string, number>();
    const delivery = fc.record({
      method: fc.constantFrom("POST", "POST", "POST", "POST", "POST", "OPTIONS"),
      freshHold: fc.boolean(),
      callbackId: fc.oneof(
        knownId,
        fc.constantFrom("rsv_default_AAAAAAAAAAAAAAAAAAAAAA", "vid_pipeline_own"),
      ),
      eventType: fc.constantFrom("avatar_video.success", "avatar_video.fail", "video_agent.success", "x.y"),
      videoId: fc.stringMatching(/^vid_[a-z0-9]{1,12}$/),
      /** Which signature headers are sent; `none` is a callback_url delivery (unsigned). */
      scheme: fc.constantFrom(
        "signature",
        "heygen-signature",
        "heygen-signature-timestamped",
        "both",
        "none",
      ),
      rightSecret: fc.boolean(),
      /** How the hex digest is written: the first five are valid spellings, the rest are not. */
      spelling: fc.constantFrom(
        "lower",
        "upper",
        "sha256=",
        "SHA256=upper",
        "padded",
        "truncated",
        "sha1=",
        "junk",
      ),
      casing: fc.constantFrom("lower", "Title", "UPPER"),
      timestamp: fc.oneof(
        { weight: 3, arbitrary: fc.constant<"fresh">("fresh") },
        fc.record({
          skew: fc.oneof(fc.integer({ min: 301, max: 10 ** 9 }), fc.integer({ min: -(10 ** 9), max: -301 })),
        }),
        fc.constantFrom("missing", "milliseconds", "iso", "blank"),
        visibleAscii.map((junk) => ({ junk })),
      ),
      eventId: fc.option(
        fc.oneof(fc.stringMatching(/^evt_[A-Za-z0-9]{1,20}$/), visibleAscii, fc.constant("e".repeat(201))),
        { nil: undefined },
      ),
    });
    const spell = (hex: string, spelling: string): string =>
      ({
        lower: hex,
        upper: hex.toUpperCase(),
        "sha256=": `sha256=${hex}`,
        "SHA256=upper": `SHA256=${hex.toUpperCase()}`,
        padded: `  ${hex}\t`,
        truncated: hex.slice(0, 63),
        "sha1=": `sha1=${hex}`,
        junk: `${hex.slice(0, 60)}zzzz`,
      })[spelling] ?? hex;
    const named = (name: string, casing: string) =>
      casing === "UPPER"
        ? name.toUpperCase()
        : casing === "Title"
          ? name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())
          : name;
    await fc.assert(
      fc.asyncProperty(delivery, async (d) => {
        let callbackId = d.callbackId;
        if (d.freshHold) {
          const held = await rawRequest(stack.url, {
            method: "POST",
            path: "/v1/reservations",
            headers: { "content-type": "application/json" },
            body: json({ amount: 0.01 }),
          });
          if (held.status === 201) {
            callbackId = (JSON.parse(held.body) as { id: string }).id;
            before = userVisibleContent(await table());
          }
        }
        const raw = json({
          event_type: d.eventType,
          event_data: { video_id: d.videoId, callback_id: callbackId },
        });
        const nowSeconds = Math.floor(Date.now() / 1000);
        const ts =
          d.timestamp === "fresh"
            ? String(nowSeconds)
            : d.timestamp === "missing"
              ? undefined
              : d.timestamp === "milliseconds"
                ? String(nowSeconds * 1000)
                : d.timestamp === "iso"
                  ? new Date().toISOString()
                  : d.timestamp === "blank"
                    ? " "
                    : "skew" in d.timestamp
                      ? String(nowSeconds + d.timestamp.skew)
                      : d.timestamp.junk;
        const secret = d.rightSecret ? stack.webhookSecret : "whsec_wrong";
        const hmac = (payload: string) => createHmac("sha256", secret).update(payload).digest("hex");
        const headers: Record<string, string> = { "content-type": "application/json" };
        const put = (name: string, value: string | undefined) => {
          if (value !== undefined) headers[named(name, d.casing)] = value;
        };
        if (d.scheme === "signature" || d.scheme === "both") put("signature", spell(hmac(raw), d.spelling));
        if (d.scheme !== "signature" && d.scheme !== "none") {
          const payload = d.scheme === "heygen-signature-timestamped" ? `${ts ?? ""}.${raw}` : raw;
          put("heygen-signature", spell(hmac(payload), d.spelling));
        }
        if (d.scheme !== "none") put("heygen-timestamp", ts);
        put("heygen-event-id", d.eventId);

        // The oracle's own reading of the rules (docs/webhooks.md "Authentication"), not the module's.
        const spelledRight = ["lower", "upper", "sha256=", "SHA256=upper", "padded"].includes(d.spelling);
        const fresh =
          ts !== undefined && /^\d{1,12}$/.test(ts) && Math.abs(Number(ts) - Date.now() / 1000) <= 300;
        const valid =
          d.rightSecret &&
          spelledRight &&
          (d.scheme === "signature" || d.scheme === "both" || (d.scheme !== "none" && fresh));
        const eventIdOk =
          d.eventId === undefined || (d.eventId.trim().length >= 1 && d.eventId.trim().length <= 200);

        const request: RawRequest = {
          method: d.method,
          path: "/v1/webhooks/heygen",
          headers,
          ...(d.method === "POST" ? { body: raw } : {}),
        };
        const reply = await rawRequest(stack.url, request);
        expect(oracleViolations(request, reply)).toEqual([]);
        const label = `${d.method} ${d.scheme} ${valid ? "valid" : "invalid"} ${reply.status}`;
        seen.set(label, (seen.get(label) ?? 0) + 1);
        const after = userVisibleContent(await table());
        if (d.method === "OPTIONS") {
          expect(reply.status).toBe(204);
          expect(reply.headers.allow).toBe("POST, OPTIONS");
        } else if (d.scheme === "none") {
          expect(reply.status).toBe(401);
          expect((JSON.parse(reply.body) as { type: string }).type).toMatch(/unsigned-delivery$/);
        } else if (!valid) {
          expect(reply.status).toBe(401);
          expect((JSON.parse(reply.body) as { type: string }).type).toMatch(/unauthorized$/);
        } else {
          expect(reply.status).toBe(eventIdOk ? 200 : 400);
        }
        if (reply.status !== 200) expect(after).toEqual(before);
        before = after;
      }),
      { numRuns: FUZZ_RUNS / 4, seed: 19 },
    );
    // Every kind was met: a valid delivery per scheme, refusals, unsigned and the probe.
    const labels = [...seen.keys()].join("\n");
    for (const kind of [
      "POST signature valid 200",
      "POST heygen-signature valid 200",
      "POST heygen-signature-timestamped valid 200",
      "POST both valid 200",
      "POST none invalid 401",
      "POST heygen-signature invalid 401",
      "OPTIONS",
    ]) {
      expect(labels).toContain(kind);
    }
    expect(log.find("ERROR", "unexpected")).toEqual([]);
  }, 180_000);

  it("answers a body past the adapter's 1 MiB read cap with a 413 problem, and keeps serving", async () => {
    const reply = await rawRequest(stack.url, {
      method: "POST",
      path: "/v1/checks",
      headers: { "content-type": "application/json" },
      body: json({ script: "a".repeat(2 * 1024 * 1024) }),
    });
    expect(reply.status).toBe(413);
    expect(reply.headers["content-type"]).toBe("application/problem+json");
    expect((await fetch(`${stack.url}/v1/health`)).status).toBe(200);
  });
});

/**
 * Every route that takes a query, each parameter of its schema (route-table.ts) generated from values that are
 * valid alone and contradict each other together: reversed and future ranges, four-digit-year edges, limits
 * with cursors of another account or another status, junk cursors, unknown and repeated names. The oracle:
 * never a 5xx; every refusal is a problem naming the fields under `/query` or `/path`; a reversed range names
 * both `since` and `until`; a `since` in the future names `since`.
 */
describe("query-parameter combinations on every route that takes a query", () => {
  const QUERY_ROUTES = Object.values(ROUTES).filter(
    (route): route is typeof route & { request: { query: z.ZodObject } } =>
      "request" in route && route.request !== undefined && "query" in route.request,
  );
  const ACCOUNTS = ["alpha", "beta"];
  const log = new RecordingLog();
  const cursors: string[] = [];
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startTestStack({
      config: testConfig(ACCOUNTS.map((id) => ({ id }))),
      env: {},
      log,
      pollIntervalSeconds: 0,
    });
    await stack.pollNow();
    for (const accountId of ACCOUNTS) {
      for (const amount of [1, 2, 3]) {
        const held = await rawRequest(stack.url, {
          method: "POST",
          path: "/v1/reservations",
          headers: { "content-type": "application/json" },
          body: json({ accountId, amount }),
        });
        const { id } = JSON.parse(held.body) as { id: string };
        if (amount === 2) {
          await rawRequest(stack.url, { method: "POST", path: `/v1/reservations/${id}/commit` });
        }
      }
      for (const status of ["", "&status=held", "&status=committed"]) {
        const page = await rawRequest(stack.url, {
          method: "GET",
          path: `/v1/reservations?accountId=${accountId}&limit=1${status}`,
        });
        const { nextCursor } = JSON.parse(page.body) as { nextCursor?: string };
        if (nextCursor) cursors.push(nextCursor);
      }
    }
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const minutes = fc
    .tuple(fc.boolean(), fc.integer({ min: 1, max: 60 * 24 * 400 }))
    .map(([past, n]) => ({ offsetMinutes: past ? -n : n }));
  const time = fc.oneof(
    { weight: 4, arbitrary: minutes },
    fc.constantFrom(
      "0000-01-01T00:00:00Z",
      "0000-01-01T00:00:00+14:00",
      "9999-12-31T23:59:59Z",
      "9999-12-31T23:59:59-12:00",
      "2026-02-30T00:00:00Z",
      "2026-13-45T00:00:00Z",
      "yesterday",
      "1700000000",
      "",
    ),
  );
  const limit = fc.oneof(
    fc.integer({ min: -2, max: 1002 }).map(String),
    fc.constantFrom("1e3", "1e309", "", " 5", "0x10", "1.5", "NaN", "-0", "[]"),
  );
  const cursor = fc.oneof(
    { weight: 3, arbitrary: fc.nat().map((n) => cursors[n % Math.max(1, cursors.length)] ?? "none") },
    fc.string({ maxLength: 30 }).map((text) => Buffer.from(text).toString("base64url")),
    fc.constantFrom("", "x", "HOLD#", Buffer.from("HOLD#rsv_alpha_").toString("base64url"), "a".repeat(2001)),
  );
  const byName: Record<string, fc.Arbitrary<string | { offsetMinutes: number }>> = {
    since: time,
    until: time,
    limit,
    cursor,
    status: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom("held", "committed", "released", "expired") },
      fc.constantFrom("HELD", "", "all"),
    ),
    accountId: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom("alpha", "beta") },
      fc.constantFrom("nobody", "", "ALPHA", "__proto__"),
    ),
  };
  const anyValue = fc.string({ maxLength: 12 });

  const request = fc.oneof(
    ...QUERY_ROUTES.map((route) => {
      const names = Object.keys(route.request.query.shape);
      return fc.record({
        route: fc.constant(route),
        id: fc.constantFrom("alpha", "beta", "nobody"),
        params: fc.record(Object.fromEntries(names.map((name) => [name, byName[name] ?? anyValue])), {
          requiredKeys: [],
        }),
        extra: fc.option(fc.tuple(fc.constantFrom("x", "__proto__", "since", "limit"), anyValue), {
          nil: undefined,
        }),
      });
    }),
  );

  type Drawn = typeof request extends fc.Arbitrary<infer T> ? T : never;

  /**
   * The model's own reading of the range rules, for a history query of a known account whose other
   * parameters are valid: the pointers a refusal must name (a reversed range: both; a `since` in the future:
   * since), or undefined when the rule says nothing.
   */
  function rangeRule(
    path: string,
    id: string,
    params: Record<string, string | { offsetMinutes: number }>,
    extra: unknown,
  ): string[] | undefined {
    if (!path.endsWith("/history") || id === "nobody" || extra) return undefined;
    const { since, until, limit } = params;
    const offset = (t: typeof since) => (typeof t === "object" ? t.offsetMinutes : undefined);
    const [from, to] = [offset(since), offset(until)];
    const limitOk =
      limit === undefined || (Number.isInteger(Number(limit)) && Number(limit) >= 1 && Number(limit) <= 1000);
    if (
      !limitOk ||
      (since !== undefined && from === undefined) ||
      (until !== undefined && to === undefined)
    ) {
      return undefined;
    }
    if (from !== undefined && to !== undefined && from > to) return ["/query/since", "/query/until"];
    if (from !== undefined && from > 0) return ["/query/since"];
    return undefined;
  }

  it(`answers ${FUZZ_RUNS / 4} combinations without a 5xx, each refusal naming the fields`, async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ route, id, params, extra }) => {
        const now = Date.now();
        const sent = params as Record<string, string | { offsetMinutes: number }>;
        const values = Object.entries(sent).map(([name, value]): [string, string] => [
          name,
          typeof value === "string" ? value : new Date(now + value.offsetMinutes * 60_000).toISOString(),
        ]);
        if (extra) values.push(extra);
        const query = values.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
        const path = `${route.path.replace("{id}", id)}${query ? `?${query}` : ""}`;
        const expected = rangeRule(route.path, id, sent, extra);
        const reply = await rawRequest(stack.url, { method: "GET", path });
        const label = `${route.path} ${reply.status}`;
        seen.set(label, (seen.get(label) ?? 0) + 1);
        expect(oracleViolations({ method: "GET", path }, reply), path).toEqual([]);
        const pointers =
          reply.status < 400
            ? []
            : ((JSON.parse(reply.body) as { errors?: { pointer: string }[] }).errors ?? []).map(
                (e) => e.pointer,
              );
        if (expected) expect([reply.status, pointers.sort()], path).toEqual([400, expected]);
        if (reply.status < 400) return;
        expect(pointers.length, `${path}: ${reply.body}`).toBeGreaterThan(0);
        for (const pointer of pointers) expect(pointer, path).toMatch(/^\/(query|path)\//);
      }),
      {
        numRuns: FUZZ_RUNS / 4,
        // Each route once bare (answered) and once with a bad limit (refused), so the coverage check below
        // does not rest on what the seed happened to draw.
        examples: QUERY_ROUTES.flatMap((route): [Drawn][] => {
          const answered: Record<string, string> =
            "accountId" in route.request.query.shape ? { accountId: "alpha" } : {};
          const drawn = (params: Record<string, string>) =>
            ({ route, id: "alpha", params, extra: undefined }) as Drawn;
          return [[drawn(answered)], [drawn({ ...answered, limit: "0" })]];
        }),
      },
    );
    // Every route with a query was met, both answered and refused.
    for (const route of QUERY_ROUTES) {
      const labels = [...seen.keys()].filter((label) => label.startsWith(`${route.path} `));
      expect(
        labels.some((l) => l.endsWith(" 200")),
        route.path,
      ).toBe(true);
      expect(
        labels.some((l) => l.endsWith(" 400")),
        route.path,
      ).toBe(true);
    }
    expect(log.find("ERROR", "unexpected")).toEqual([]);
  }, 120_000);

  it("a 500's log line carries the request id the caller was answered with, and the route", async () => {
    const { store } = stack.services;
    const listAlerts = store.listAlerts;
    store.listAlerts = async () => {
      throw new TypeError("a bug in the alert log read");
    };
    try {
      const reply = await rawRequest(stack.url, { method: "GET", path: "/v1/accounts/alpha/alerts?limit=5" });
      expect(reply.status).toBe(500);
      const { instance } = JSON.parse(reply.body) as { instance: string };
      const [line, ...more] = log.find("ERROR", "unexpected");
      expect(more).toEqual([]);
      expect(line).toContain(`requestId: '${instance}'`);
      expect(line).toContain("route: 'GET /v1/accounts/{id}/alerts'");
      expect(line).toContain("a bug in the alert log read");
    } finally {
      store.listAlerts = listAlerts;
    }
  });
});
