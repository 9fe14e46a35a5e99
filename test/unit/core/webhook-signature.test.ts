import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isUnsignedDelivery,
  signHeyGenEvent,
  TIMESTAMP_WINDOW_SECONDS,
  verifyHeyGenSignature,
  webhookSecretsOf,
} from "#core/webhook-signature";

const SECRET = "whsec_test";
const NOW = new Date("2026-11-30T12:00:00Z");
const nowSeconds = NOW.getTime() / 1000;
/** Headers as a case-insensitive lookup, the way API Gateway (lower-cased) and fetch's Headers give them. */
const lookup = (headers: Record<string, string>) => {
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return (name: string) => lower.get(name.toLowerCase());
};
const hmac = (payload: string, secret = SECRET) => createHmac("sha256", secret).update(payload).digest("hex");

/** Field case G4 (test/fixtures/field-cases/heygen-2026-12.json): exact bytes and signatures. */
const G4 = (
  JSON.parse(
    readFileSync(new URL("../../fixtures/field-cases/heygen-2026-12.json", import.meta.url), "utf8"),
  ) as {
    cases: {
      id: string;
      headers: Record<string, string>;
      expected: {
        secret: string;
        rawBody: string;
        for_contrast: { hmac_of_timestamp_dot_body_with_1796119200: string };
      };
    }[];
  }
).cases.find((c) => c.id === "G4");

describe("HeyGen webhook signature", () => {
  it("accepts `Signature` = hex HMAC-SHA256 of the raw body, computed independently", () => {
    const body = '{"event_type":"avatar_video.success","event_data":{"video_id":"v1"}}';
    const signature = hmac(body);
    expect(verifyHeyGenSignature(body, lookup({ signature }), SECRET, NOW)).toBe("signature");
    expect(verifyHeyGenSignature(`${body} `, lookup({ signature }), SECRET, NOW)).toBeUndefined();
    expect(verifyHeyGenSignature(body, lookup({ signature }), "whsec_other", NOW)).toBeUndefined();
    expect(verifyHeyGenSignature(body, lookup({ signature }), "", NOW)).toBeUndefined();
  });

  it("G4: the case's exact v3 delivery verifies by the body HMAC with a fresh timestamp, and the timestamp-in-MAC form too", () => {
    if (!G4) throw new Error("field case G4 missing");
    const { rawBody, secret, for_contrast } = G4.expected;
    const v3 = (timestamp: number) =>
      lookup({
        "heygen-signature": G4.headers["heygen-signature"] as string,
        "heygen-timestamp": String(timestamp),
        "heygen-event-id": G4.headers["heygen-event-id"] as string,
      });
    expect(verifyHeyGenSignature(rawBody, v3(nowSeconds), secret, NOW)).toBe("heygen-signature");
    // The timestamp is checked for age only: any fresh one verifies the same signature.
    expect(verifyHeyGenSignature(rawBody, v3(nowSeconds - 299), secret, NOW)).toBe("heygen-signature");
    expect(verifyHeyGenSignature(rawBody, v3(nowSeconds - 301), secret, NOW)).toBeUndefined();
    const at = new Date(1796119200 * 1000);
    const old = lookup({
      "heygen-signature": for_contrast.hmac_of_timestamp_dot_body_with_1796119200,
      "heygen-timestamp": "1796119200",
    });
    expect(verifyHeyGenSignature(rawBody, old, secret, at)).toBe("heygen-signature-timestamped");
  });

  it.each([
    ["body HMAC", (_ts: string, body: string) => hmac(body), "heygen-signature"],
    [
      "timestamp.body HMAC",
      (ts: string, body: string) => hmac(`${ts}.${body}`),
      "heygen-signature-timestamped",
    ],
  ] as const)("accepts Heygen-Signature as the %s only within 5 minutes either way", (_, sign, scheme) => {
    const body = "{}";
    const at = (skew: number) => {
      const timestamp = String(nowSeconds + skew);
      return lookup({ "heygen-timestamp": timestamp, "heygen-signature": sign(timestamp, body) });
    };
    expect(verifyHeyGenSignature(body, at(0), SECRET, NOW)).toBe(scheme);
    expect(verifyHeyGenSignature(body, at(-TIMESTAMP_WINDOW_SECONDS), SECRET, NOW)).toBe(scheme);
    expect(verifyHeyGenSignature(body, at(TIMESTAMP_WINDOW_SECONDS), SECRET, NOW)).toBe(scheme);
    expect(verifyHeyGenSignature(body, at(-TIMESTAMP_WINDOW_SECONDS - 1), SECRET, NOW)).toBeUndefined();
    expect(verifyHeyGenSignature(body, at(TIMESTAMP_WINDOW_SECONDS + 1), SECRET, NOW)).toBeUndefined();
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["in milliseconds", String(nowSeconds * 1000)],
    ["an ISO date", NOW.toISOString()],
    ["negative", `-${nowSeconds}`],
    ["fractional", `${nowSeconds}.5`],
    ["garbage", "soon"],
  ])("refuses a body-HMAC Heygen-Signature whose timestamp is %s", (_, timestamp) => {
    const headers = {
      "heygen-signature": hmac("{}"),
      ...(timestamp === undefined ? {} : { "heygen-timestamp": timestamp }),
    };
    expect(verifyHeyGenSignature("{}", lookup(headers), SECRET, NOW)).toBeUndefined();
  });

  it("reads hex in any case, with or without a sha256= prefix, in either header and any header casing", () => {
    const body = '{"a":1}';
    const hex = hmac(body);
    const ts = String(nowSeconds);
    for (const value of [
      hex,
      hex.toUpperCase(),
      `sha256=${hex}`,
      `SHA256=${hex.toUpperCase()}`,
      ` ${hex} `,
    ]) {
      expect(verifyHeyGenSignature(body, lookup({ Signature: value }), SECRET, NOW)).toBe("signature");
      expect(
        verifyHeyGenSignature(
          body,
          lookup({ "HEYGEN-SIGNATURE": value, "Heygen-Timestamp": ts }),
          SECRET,
          NOW,
        ),
      ).toBe("heygen-signature");
    }
    for (const value of [`${hex}0`, hex.slice(1), `sha1=${hex}`, `sha256:${hex}`, `v1=${hex}`, "", "zz"]) {
      expect(verifyHeyGenSignature(body, lookup({ signature: value }), SECRET, NOW)).toBeUndefined();
    }
  });

  it("a stale Heygen-Signature does not stop a valid Signature, and a valid Heygen-Signature does not need one", () => {
    const body = "{}";
    const stale = { "heygen-signature": hmac(body), "heygen-timestamp": String(nowSeconds - 3600) };
    expect(verifyHeyGenSignature(body, lookup({ ...stale, signature: hmac(body) }), SECRET, NOW)).toBe(
      "signature",
    );
    const fresh = { "heygen-signature": hmac(body), "heygen-timestamp": String(nowSeconds) };
    expect(verifyHeyGenSignature(body, lookup({ ...fresh, signature: "00" }), SECRET, NOW)).toBe(
      "heygen-signature",
    );
  });

  it("a delivery is unsigned only when neither signature header carries anything", () => {
    expect(isUnsignedDelivery(lookup({}))).toBe(true);
    expect(isUnsignedDelivery(lookup({ signature: " ", "heygen-timestamp": String(nowSeconds) }))).toBe(true);
    expect(isUnsignedDelivery(lookup({ "heygen-event-id": "evt_1" }))).toBe(true);
    expect(isUnsignedDelivery(lookup({ signature: "nonsense" }))).toBe(false);
    expect(isUnsignedDelivery(lookup({ "Heygen-Signature": "nonsense" }))).toBe(false);
  });

  it("signHeyGenEvent signs as HeyGen v3 by default (body HMAC, timestamp, event id) and each other scheme on request", () => {
    const body = '{"x":1}';
    expect(signHeyGenEvent(body, SECRET, nowSeconds + 0.7, { eventId: "evt_1" })).toEqual({
      "heygen-signature": hmac(body),
      "heygen-timestamp": String(nowSeconds),
      "heygen-event-id": "evt_1",
    });
    expect(signHeyGenEvent(body, SECRET, nowSeconds, { scheme: "signature" })).toEqual({
      signature: hmac(body),
    });
    expect(signHeyGenEvent(body, SECRET, nowSeconds, { scheme: "both" })).toMatchObject({
      signature: hmac(body),
      "heygen-signature": hmac(body),
    });
    expect(
      signHeyGenEvent(body, SECRET, nowSeconds, { scheme: "heygen-signature-timestamped" })[
        "heygen-signature"
      ],
    ).toBe(hmac(`${nowSeconds}.${body}`));
  });

  it("what signHeyGenEvent makes verifies by the scheme asked for; random signatures never do", () => {
    const schemes = ["signature", "heygen-signature", "heygen-signature-timestamped"] as const;
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.constantFrom(...schemes), (body, forged, scheme) => {
        const signed = signHeyGenEvent(body, SECRET, nowSeconds, { scheme });
        expect(verifyHeyGenSignature(body, lookup(signed), SECRET, NOW)).toBe(scheme);
        const headers = {
          signature: forged,
          "heygen-signature": forged,
          "heygen-timestamp": String(nowSeconds),
        };
        expect(verifyHeyGenSignature(body, lookup(headers), SECRET, NOW)).toBeUndefined();
      }),
      { seed: 19 },
    );
  });
});

describe("the stored webhook secret", () => {
  // infra/heygen-webhook.ts WEBHOOK_SECRET_PLACEHOLDER, what a fresh deploy stores (not imported: it loads CDK).
  const PLACEHOLDER = "NOT_SET: put the HeyGen webhook secret with aws secretsmanager put-secret-value";

  it("the deploy's placeholder holds no secret: none of its words verifies a delivery", () => {
    expect(webhookSecretsOf(PLACEHOLDER)).toEqual([]);
    expect(webhookSecretsOf(`  ${PLACEHOLDER}\n`)).toEqual([]);
    const body = '{"event_type":"avatar_video.success"}';
    for (const word of PLACEHOLDER.split(" ")) {
      const headers = signHeyGenEvent(body, word, nowSeconds);
      const verified = webhookSecretsOf(PLACEHOLDER).some((secret) =>
        verifyHeyGenSignature(body, lookup(headers), secret, NOW),
      );
      expect(verified, word).toBe(false);
    }
  });

  it("one secret, or several separated by whitespace while rotating; empty holds none", () => {
    expect(webhookSecretsOf("whsec_a")).toEqual(["whsec_a"]);
    expect(webhookSecretsOf("whsec_new  whsec_old\n")).toEqual(["whsec_new", "whsec_old"]);
    expect(webhookSecretsOf("")).toEqual([]);
    expect(webhookSecretsOf(undefined)).toEqual([]);
  });
});
