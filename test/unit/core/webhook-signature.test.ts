import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signHeyGenEvent, TIMESTAMP_WINDOW_SECONDS, verifyHeyGenSignature } from "#core/webhook-signature";

const SECRET = "whsec_test";
const NOW = new Date("2026-11-30T12:00:00Z");
const nowSeconds = NOW.getTime() / 1000;
const lookup = (headers: Record<string, string>) => (name: string) => headers[name];

describe("HeyGen webhook signature", () => {
  it("accepts `Signature` = lowercase hex HMAC-SHA256 of the raw body, computed independently", () => {
    const body = '{"event_type":"avatar_video.success","event_data":{"video_id":"v1"}}';
    const signature = createHmac("sha256", SECRET).update(body).digest("hex");
    expect(verifyHeyGenSignature(body, lookup({ signature }), SECRET, NOW)).toBe(true);
    expect(verifyHeyGenSignature(`${body} `, lookup({ signature }), SECRET, NOW)).toBe(false);
    expect(verifyHeyGenSignature(body, lookup({ signature }), "whsec_other", NOW)).toBe(false);
    expect(verifyHeyGenSignature(body, lookup({ signature }), "", NOW)).toBe(false);
  });

  it("accepts Heygen-Signature over `timestamp.body` only within 5 minutes", () => {
    const body = "{}";
    const at = (skew: number) => {
      const timestamp = String(nowSeconds + skew);
      const signature = createHmac("sha256", SECRET).update(`${timestamp}.${body}`).digest("hex");
      return lookup({ "heygen-timestamp": timestamp, "heygen-signature": signature });
    };
    expect(verifyHeyGenSignature(body, at(0), SECRET, NOW)).toBe(true);
    expect(verifyHeyGenSignature(body, at(-TIMESTAMP_WINDOW_SECONDS), SECRET, NOW)).toBe(true);
    expect(verifyHeyGenSignature(body, at(-TIMESTAMP_WINDOW_SECONDS - 1), SECRET, NOW)).toBe(false);
    expect(verifyHeyGenSignature(body, at(TIMESTAMP_WINDOW_SECONDS + 1), SECRET, NOW)).toBe(false);
  });

  it("what signHeyGenEvent makes verifies; random signatures never do", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (body, forged) => {
        expect(
          verifyHeyGenSignature(body, lookup(signHeyGenEvent(body, SECRET, nowSeconds)), SECRET, NOW),
        ).toBe(true);
        const headers = {
          signature: forged,
          "heygen-signature": forged,
          "heygen-timestamp": String(nowSeconds),
        };
        expect(verifyHeyGenSignature(body, lookup(headers), SECRET, NOW)).toBe(false);
      }),
    );
  });
});
