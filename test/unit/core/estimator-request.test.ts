import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Estimate } from "#core/estimate";
import { EstimateError, estimate, tierForLongerSide } from "#core/estimator";
import {
  EstimateRequest,
  type EstimateRequestInput,
  jobRequestSchema,
  safeParseJobRequest,
} from "#core/job-spec";
import { createRateCardRegistry } from "#core/rate-card";

const registry = createRateCardRegistry();

function price(cardId: string, input: EstimateRequestInput) {
  return estimate(EstimateRequest.parse(input), registry.get(cardId));
}

function issuesOf(input: unknown): { path: string; message: string }[] {
  const result = safeParseJobRequest(EstimateRequest, input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

describe("job spec validation (400: shape, before any card)", () => {
  it.each([
    { name: "a non-positive duration", input: { durationSeconds: 0 }, path: "durationSeconds" },
    { name: "a duration over 4 h", input: { durationSeconds: 4 * 3600 + 1 }, path: "durationSeconds" },
    { name: "no duration for an avatar video", input: { engine: "avatar_iv" }, path: "durationSeconds" },
    { name: "two duration sources", input: { durationSeconds: 5, script: "hi" }, path: "script" },
    {
      name: "scenes and a duration",
      input: { durationSeconds: 5, scenes: [{ durationSeconds: 1 }] },
      path: "scenes",
    },
    { name: "an empty scene", input: { scenes: [{}] }, path: "scenes.0.durationSeconds" },
    {
      name: "a scene with both",
      input: { scenes: [{ durationSeconds: 1, script: "a" }] },
      path: "scenes.0.durationSeconds",
    },
    {
      name: "voiceSpeed without a script",
      input: { durationSeconds: 5, voiceSpeed: 1.2 },
      path: "voiceSpeed",
    },
    { name: "voiceSpeed out of range", input: { script: "hello", voiceSpeed: 3 }, path: "voiceSpeed" },
    { name: "a script over 50,000 characters", input: { script: "a ".repeat(25_001) }, path: "script" },
    {
      name: "resolution and dimension",
      input: { durationSeconds: 5, resolution: "720p", dimension: { width: 1, height: 1 } },
      path: "dimension",
    },
    {
      name: "a fractional dimension",
      input: { durationSeconds: 5, dimension: { width: 1280.5, height: 720 } },
      path: "dimension.width",
    },
    {
      name: "translationMode on an avatar video",
      input: { durationSeconds: 5, translationMode: "fast" },
      path: "translationMode",
    },
    { name: "a count of 0", input: { durationSeconds: 5, count: 0 }, path: "count" },
    { name: "a fractional count", input: { durationSeconds: 5, count: 1.5 }, path: "count" },
    { name: "a count over 1000", input: { durationSeconds: 5, count: 1001 }, path: "count" },
    { name: "an unknown type", input: { type: "podcast", durationSeconds: 5 }, path: "type" },
    { name: "an unknown engine", input: { engine: "avatar_vi", durationSeconds: 5 }, path: "engine" },
    { name: "an unknown resolution", input: { resolution: "8k", durationSeconds: 5 }, path: "resolution" },
    { name: "an unknown field", input: { durationSeconds: 5, colour: "blue" }, path: "" },
    { name: "an empty job list", input: { jobs: [] }, path: "jobs" },
    {
      name: "101 jobs",
      input: { jobs: Array.from({ length: 101 }, () => ({ durationSeconds: 1 })) },
      path: "jobs",
    },
    {
      name: "a bad job in a list",
      input: { jobs: [{ durationSeconds: 5 }, { durationSeconds: "5" }] },
      path: "jobs.1.durationSeconds",
    },
    {
      name: "a job field beside jobs",
      input: { jobs: [{ durationSeconds: 5 }], durationSeconds: 5 },
      path: "",
    },
  ] as { name: string; input: unknown; path: string }[])(
    "rejects $name, naming '$path'",
    ({ input, path }) => {
      expect(issuesOf(input).map((issue) => issue.path)).toContain(path);
    },
  );

  it("names the unknown field in the message", () => {
    expect(issuesOf({ durationSeconds: 5, colour: "blue" })[0]?.message).toContain("colour");
  });

  it("lets streaming and cinematic jobs leave the duration to the card", () => {
    expect(safeParseJobRequest(EstimateRequest, { type: "streaming" }).success).toBe(true);
    expect(safeParseJobRequest(EstimateRequest, { type: "cinematic_avatar" }).success).toBe(true);
  });

  it("fills the documented defaults", () => {
    const parsed = EstimateRequest.parse({ durationSeconds: 5 });
    expect(parsed).toMatchObject({ type: "avatar_video", test: false, count: 1 });
  });

  it("builds check-style requests with extra fields in both forms", () => {
    const CheckRequest = jobRequestSchema({ accountId: z.string().optional() });
    const single = safeParseJobRequest(CheckRequest, { accountId: "default", durationSeconds: 5 });
    const list = safeParseJobRequest(CheckRequest, { accountId: "default", jobs: [{ durationSeconds: 5 }] });
    expect(single.success && list.success).toBe(true);
    // 5 s × 0.05 = 0.25; the extra field does not disturb pricing.
    expect(estimate(single.data as EstimateRequest, registry.get("heygen-payg-2026")).total).toBe(0.25);
  });

  it("turns into an OpenAPI-ready JSON schema, and so does the answer", () => {
    const request = z.toJSONSchema(EstimateRequest, { io: "input" });
    const answer = z.toJSONSchema(Estimate);
    expect(JSON.stringify(request)).toContain('"additionalProperties":false');
    expect(request.anyOf).toHaveLength(2);
    expect(answer.required).toEqual(expect.arrayContaining(["rateCard", "unit", "total", "lines"]));
  });
});

describe("durations from scripts and scenes", () => {
  it("reads a script at 150 words/min and says so in the assumptions", () => {
    // 150 words ÷ 150 words/min = 60 s on the payg card: 60 × 0.05 = 3.
    const answer = price("heygen-payg-2026", { script: "word ".repeat(150) });
    expect(answer.lines[0]?.billableSeconds).toBe(60);
    expect(answer.total).toBe(3);
    expect(answer.assumptions.join("\n")).toContain("150 words/min");
  });

  it("applies voiceSpeed and SSML breaks", () => {
    // 60 words ÷ (150 × 1.5) words/min = 16 s, + 1.5 s + 0.5 s breaks = 18 s; 18 × 0.05 = 0.9.
    const script = `${"word ".repeat(30)}<break time="1.5s"/>${"word ".repeat(30)}<break time="500ms"/>`;
    const answer = price("heygen-payg-2026", { script, voiceSpeed: 1.5 });
    expect(answer.lines[0]?.billableSeconds).toBe(18);
    expect(answer.totalExact).toBe("0.9");
    expect(answer.assumptions[0]).toContain("voiceSpeed 1.5");
  });

  it("adds up scenes given as durations and as scripts", () => {
    // 12.5 s + (75 words ÷ 150/min = 30 s) + (75 words ÷ (150 × 0.5)/min = 60 s) = 102.5 s → 103 s; × 0.05 = 5.15.
    const answer = price("heygen-payg-2026", {
      scenes: [
        { durationSeconds: 12.5 },
        { script: "word ".repeat(75) },
        { script: "word ".repeat(75), voiceSpeed: 0.5 },
      ],
    });
    expect(answer.lines[0]?.billableSeconds).toBe(103);
    expect(answer.totalExact).toBe("5.15");
    expect(answer.assumptions).toHaveLength(2);
  });

  it("uses the job's voiceSpeed for scenes that give none", () => {
    // 150 words ÷ (150 × 2)/min = 30 s; × 0.05 = 1.5.
    const answer = price("heygen-payg-2026", { scenes: [{ script: "word ".repeat(150) }], voiceSpeed: 2 });
    expect(answer.lines[0]?.billableSeconds).toBe(30);
  });

  it("keeps script durations exact under voice speeds with no finite decimal", () => {
    // 150 words ÷ (150 × 0.6)/min = 100 s exactly (a float division gives 100.00000000000001 → 101 s).
    const answer = price("heygen-payg-2026", { script: "word ".repeat(150), voiceSpeed: 0.6 });
    expect(answer.lines[0]?.billableSeconds).toBe(100);
  });
});

describe("resolution from dimension", () => {
  it.each([
    [1280, 720, "720p"],
    [720, 1280, "720p"],
    [1281, 720, "1080p"],
    [1920, 1080, "1080p"],
    [1080, 1920, "1080p"],
    [1921, 1080, "4k"],
    [3840, 2160, "4k"],
  ] as const)("%i×%i is %s (by the longer side)", (width, height, tier) => {
    expect(tierForLongerSide(Math.max(width, height))).toBe(tier);
    const [line] = price("heygen-payg-2026", { durationSeconds: 10, dimension: { width, height } }).lines;
    expect(line?.resolution).toBe(tier);
    expect(line?.notes).toContain(`dimension ${width}×${height} → ${tier}`);
  });

  it("prices a 4k dimension at the 4k rate", () => {
    // 10 s × 0.0667 = 0.667 → 0.67.
    expect(
      price("heygen-payg-2026", { durationSeconds: 10, dimension: { width: 3840, height: 2160 } }).total,
    ).toBe(0.67);
  });

  it("points at dimension when the mapped tier is not priced", () => {
    const attempt = () =>
      price("heygen-payg-2026", {
        engine: "avatar_iii",
        durationSeconds: 10,
        dimension: { width: 3840, height: 2160 },
      });
    expect(attempt).toThrow(expect.objectContaining({ pointer: "/dimension" }));
    expect(attempt).toThrow(/dimension 3840×2160 \(4k\).*heygen-payg-2026/);
  });
});

describe("test mode", () => {
  it("is free on a card that says so, with a note", () => {
    const answer = price("heygen-api-credits-2025", { durationSeconds: 600, test: true });
    expect(answer.total).toBe(0);
    expect(answer.lines[0]?.notes.join("\n")).toContain("test: true is free");
    expect(answer.warnings).toEqual([]);
  });

  it("costs full price with a warning where HeyGen documents no free test mode", () => {
    const answer = price("heygen-payg-2026", { durationSeconds: 60, test: true });
    expect(answer.total).toBe(price("heygen-payg-2026", { durationSeconds: 60 }).total);
    expect(answer.warnings).toHaveLength(1);
    expect(answer.warnings[0]).toContain("heygen-payg-2026");
  });
});

describe("job lists", () => {
  it("prices each job with its count and adds them up", () => {
    // 3 × 60 s × 0.0167 = 3.006; 2 × 7.00 = 14; 10.2 s → 11 s × 0.05 = 0.55: 17.556 → 17.56.
    const answer = price("heygen-payg-2026", {
      jobs: [
        { engine: "avatar_iii", durationSeconds: 60, count: 3 },
        { type: "cinematic_avatar", count: 2 },
        { engine: "photo_avatar", durationSeconds: 10.2 },
      ],
    });
    expect(answer.lines.map((line) => [line.job, line.cost, line.count])).toEqual([
      [0, 3.006, 3],
      [1, 14, 2],
      [2, 0.55, 1],
    ]);
    expect(answer.totalExact).toBe("17.556");
    expect(answer.total).toBe(17.56);
  });

  it("labels each job's assumptions and warnings", () => {
    const answer = price("heygen-payg-2026", {
      jobs: [{ durationSeconds: 1 }, { script: "hello there", test: true }],
    });
    expect(answer.assumptions[0]).toMatch(/^job 1: /);
    expect(answer.warnings[0]).toMatch(/^job 1: /);
  });

  it("points into the list at the job the card cannot price", () => {
    const attempt = () =>
      price("heygen-api-credits-2025", {
        jobs: [{ durationSeconds: 1 }, { type: "video_agent", durationSeconds: 1 }],
      });
    expect(attempt).toThrow(EstimateError);
    expect(attempt).toThrow(
      expect.objectContaining({ pointer: "/jobs/1/type", cardId: "heygen-api-credits-2025" }),
    );
  });

  it("points at the top-level field for a single job", () => {
    const attempt = () => price("heygen-skill-guide", { durationSeconds: 1, resolution: "4k" });
    expect(attempt).toThrow(expect.objectContaining({ pointer: "/resolution", field: "resolution" }));
  });

  it("asks for a duration when the card prices the job by time", () => {
    const attempt = () => price("heygen-payg-2026", { type: "streaming" });
    expect(attempt).toThrow(expect.objectContaining({ pointer: "/durationSeconds" }));
    expect(attempt).toThrow(/heygen-payg-2026.*per second/);
  });
});
