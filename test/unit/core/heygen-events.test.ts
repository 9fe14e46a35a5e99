import { describe, expect, it } from "vitest";
import {
  deliveryKeys,
  failureText,
  HeyGenEvent,
  isInsufficientCredit,
  JOB_OUTCOME_EVENT_TYPES,
  outcomeOf,
  outputIdOf,
} from "#core/heygen-events";
import { jobVerdictOf, outputCountOf } from "#core/job-outputs";

const event = (event_type: string, event_data: Record<string, unknown> = {}) =>
  HeyGenEvent.parse({ event_type, event_data });

describe("which events are a job's outcome", () => {
  it("derived artefacts, a proofread and personalized_video settle nothing; the jobs' own outcomes do", () => {
    for (const type of [
      "avatar_video_gif.success",
      "avatar_video_gif.fail",
      "avatar_video_caption.success",
      "avatar_video_caption.fail",
      "proofread_creation.fail",
      "personalized_video",
      "avatar_video.successful",
    ]) {
      expect(outcomeOf(event(type, { msg: "Insufficient credit" })).kind, type).toBe("ignored");
    }
    for (const job of ["avatar_video", "video_translate", "video_agent", "photo_avatar_generation"]) {
      expect(outcomeOf(event(`${job}.success`)).kind).toBe("success");
      expect(outcomeOf(event(`${job}.fail`)).kind).toBe("fail");
    }
    expect(JOB_OUTCOME_EVENT_TYPES.size).toBe(16);
  });
});

describe("a failure's text and whether it was for credit", () => {
  it("reads msg, message, failure_code, failure_message and error (object or string)", () => {
    expect(
      failureText({ failure_code: "X1", msg: "a", message: "b", failure_message: "c", error: { code: "d" } }),
    ).toBe('X1: a: b: c: {"code":"d"}');
    expect(failureText({ error: "plain" })).toBe("plain");
    expect(outcomeOf(event("video_translate.fail", { message: "Insufficient credit" }))).toEqual({
      kind: "fail",
      insufficientCredit: true,
      reason: "Insufficient credit",
    });
  });

  it("matches the credit family, not other 'insufficient' or 'credit' text", () => {
    for (const text of [
      "Insufficient credit",
      "insufficient credits",
      "INSUFFICIENT_CREDITS",
      "MOVIO_PAYMENT_INSUFFICIENT_CREDIT",
      '{"code":"insufficient_credit"}',
    ]) {
      expect(isInsufficientCredit(text), text).toBe(true);
    }
    for (const text of ["insufficient permissions", "credit card expired", "insufficient creditworthiness"]) {
      expect(isInsufficientCredit(text), text).toBe(false);
    }
  });
});

describe("outputs", () => {
  it("an output id from the translation's ids first, then video_id, then id; delivery keys use it", () => {
    expect(outputIdOf(event("video_translate.success", { video_translate_id: "vt", video_id: "v" }))).toBe(
      "vt",
    );
    expect(outputIdOf(event("video_translate.success", { video_translation_id: "vt3", id: "i" }))).toBe(
      "vt3",
    );
    expect(outputIdOf(event("avatar_video.success", { id: "i" }))).toBe("i");
    expect(deliveryKeys(event("video_translate.fail", { video_translate_id: "vt" }))).toEqual([
      "V#video_translate.fail#vt",
    ]);
  });

  it("a hold's output count is its single spec's count, else 1", () => {
    expect(outputCountOf({ type: "video_translation", count: 3 })).toBe(3);
    expect(outputCountOf({ count: 1 })).toBe(1);
    expect(outputCountOf({ jobs: [{ count: 4 }] })).toBe(1);
    expect(outputCountOf(undefined)).toBe(1);
  });

  it("a mixed outcome: success if any succeeded; else InsufficientCredits if one failed for credit; else VideoFailed", () => {
    const fail = { outcome: "fail" as const, reason: "r" };
    expect(jobVerdictOf({ a: fail, b: { outcome: "success" } })).toEqual({ status: "success" });
    expect(jobVerdictOf({ a: fail, b: { ...fail, insufficientCredit: true } })).toMatchObject({
      error: "InsufficientCredits",
    });
    expect(jobVerdictOf({ a: fail, b: fail })).toEqual({
      status: "failure",
      error: "VideoFailed",
      cause: "a: r; b: r",
    });
  });
});
