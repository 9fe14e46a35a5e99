import * as z from "./zod.ts";
import { withMeta } from "./zod-meta.ts";

/**
 * What a caller wants to generate (docs/estimates.md), validated by the API and used for its OpenAPI document.
 * Shape rules live here (400); whether a rate card prices a combination is the estimator's business (422).
 */

export const MAX_DURATION_SECONDS = 4 * 60 * 60;
export const MAX_SCRIPT_CHARACTERS = 50_000;
export const MAX_JOBS = 100;
export const MAX_COUNT = 1000;
export const MAX_SCENES = 200;
export const MAX_DIMENSION_PIXELS = 8192;

export const JOB_TYPES = [
  "avatar_video",
  "video_translation",
  "streaming",
  "video_agent",
  "cinematic_avatar",
  "lipsync",
  "text_to_speech",
  "avatar_creation",
] as const;
export const ENGINES = [
  "avatar_iv",
  "avatar_v",
  "avatar_iii",
  "photo_avatar",
  "video_avatar",
  "digital_twin",
  "studio_avatar",
] as const;
export const RESOLUTIONS = ["720p", "1080p", "4k"] as const;
export const TRANSLATION_MODES = ["speed_audio", "speed_lipsync", "precision", "fast", "quality"] as const;

/** Types priced by mode: translation (speed_audio, speed_lipsync, precision, fast, quality) and lipsync. */
const MODE_TYPES: ReadonlySet<JobType> = new Set(["video_translation", "lipsync"]);

/** Types that can be priced per video or per session, so a card may not need their duration. */
const DURATION_OPTIONAL_TYPES: ReadonlySet<JobType> = new Set([
  "streaming",
  "cinematic_avatar",
  "avatar_creation",
]);

export const JobType = withMeta(z.enum(JOB_TYPES), { description: "What is generated." });
export type JobType = z.infer<typeof JobType>;
export const Engine = withMeta(z.enum(ENGINES), { description: "Avatar engine, as the rate card names it." });
export type Engine = z.infer<typeof Engine>;
export const Resolution = withMeta(z.enum(RESOLUTIONS), { description: "Output resolution tier." });
export type Resolution = z.infer<typeof Resolution>;
export const TranslationMode = withMeta(z.enum(TRANSLATION_MODES), {
  description:
    "Translation or lipsync quality (lipsync: speed_lipsync or precision); the rate card says which modes it prices.",
});
export type TranslationMode = z.infer<typeof TranslationMode>;

const DurationSeconds = withMeta(z.number().check(z.positive()).check(z.lte(MAX_DURATION_SECONDS)), {
  description: `Video length in seconds (> 0, ≤ ${MAX_DURATION_SECONDS}).`,
});
const Script = withMeta(z.string().check(z.minLength(1)).check(z.maxLength(MAX_SCRIPT_CHARACTERS)), {
  description: "The spoken text (SSML <break time=.../> pauses count); its length sets the duration.",
});
const VoiceSpeed = withMeta(z.number().check(z.gte(0.5)).check(z.lte(2)), {
  description: "Voice speed for script-based durations (0.5–2, default 1).",
});

export const Scene = withMeta(
  z
    .strictObject({
      durationSeconds: z.optional(DurationSeconds),
      script: z.optional(Script),
      voiceSpeed: z.optional(VoiceSpeed),
    })
    .check(
      z.superRefine((scene, ctx) => {
        if ((scene.durationSeconds === undefined) === (scene.script === undefined)) {
          ctx.addIssue({
            code: "custom",
            path: ["durationSeconds"],
            message: "give exactly one of durationSeconds or script",
          });
        }
        if (scene.voiceSpeed !== undefined && scene.script === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["voiceSpeed"],
            message: "voiceSpeed applies only to a script",
          });
        }
      }),
    ),
  { description: "One scene of a video: its durationSeconds or its script." },
);
export type Scene = z.infer<typeof Scene>;

export const Dimension = withMeta(
  z.strictObject({
    width: z.number().check(z.int()).check(z.gte(1)).check(z.lte(MAX_DIMENSION_PIXELS)),
    height: z.number().check(z.int()).check(z.gte(1)).check(z.lte(MAX_DIMENSION_PIXELS)),
  }),
  {
    description: "Output size in pixels; the larger side picks the tier: ≤1280 720p, ≤1920 1080p, else 4k.",
  },
);
export type Dimension = z.infer<typeof Dimension>;

const jobShape = {
  type: z._default(JobType, "avatar_video"),
  engine: withMeta(z.optional(Engine), {
    description: "Avatar engine (default avatar_iv); ignored for types the card prices whatever the engine.",
  }),
  durationSeconds: z.optional(DurationSeconds),
  script: z.optional(Script),
  voiceSpeed: z.optional(VoiceSpeed),
  scenes: withMeta(z.optional(z.array(Scene).check(z.minLength(1)).check(z.maxLength(MAX_SCENES))), {
    description: "Scenes of one video; their durations add up.",
  }),
  resolution: withMeta(z.optional(Resolution), { description: "Output resolution tier (default 720p)." }),
  dimension: z.optional(Dimension),
  translationMode: z.optional(TranslationMode),
  test: withMeta(z._default(z.boolean(), false), { description: "HeyGen test mode (free on some cards)." }),
  count: withMeta(z._default(z.number().check(z.int()).check(z.gte(1)).check(z.lte(MAX_COUNT)), 1), {
    description: `How many such videos or sessions (1–${MAX_COUNT}).`,
  }),
};

type JobFields = z.output<z.ZodMiniObject<typeof jobShape>>;

const DURATION_FIELDS = ["durationSeconds", "script", "scenes"] as const;

/** Cross-field rules, shared by a bare job and a single-job request. */
function checkJob(job: JobFields, ctx: z.core.$RefinementCtx): void {
  const given = DURATION_FIELDS.filter((field) => job[field] !== undefined);
  for (const extra of given.slice(1)) {
    ctx.addIssue({
      code: "custom",
      path: [extra],
      message: `give only one of ${DURATION_FIELDS.join(", ")}`,
    });
  }
  if (given.length === 0 && !DURATION_OPTIONAL_TYPES.has(job.type)) {
    ctx.addIssue({
      code: "custom",
      path: ["durationSeconds"],
      message: `one of ${DURATION_FIELDS.join(", ")} is required for type ${job.type}`,
    });
  }
  if (job.voiceSpeed !== undefined && job.script === undefined && job.scenes === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["voiceSpeed"],
      message: "voiceSpeed applies only to script or scenes",
    });
  }
  if (job.resolution !== undefined && job.dimension !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["dimension"],
      message: "give either resolution or dimension, not both",
    });
  }
  if (job.translationMode !== undefined && !MODE_TYPES.has(job.type)) {
    ctx.addIssue({
      code: "custom",
      path: ["translationMode"],
      message: "translationMode applies only to video_translation and lipsync",
    });
  }
}

export const JobSpec = withMeta(z.strictObject(jobShape).check(z.superRefine(checkJob)), {
  description:
    "One job: type, engine, duration as exactly one of durationSeconds | script | scenes " +
    "(optional for streaming and cinematic_avatar when the card prices per session or video), " +
    "resolution or dimension, translationMode, test, count.",
});
export type JobSpec = z.output<typeof JobSpec>;
export type JobSpecInput = z.input<typeof JobSpec>;

const RateCardId = withMeta(z.optional(z.string().check(z.minLength(1)).check(z.maxLength(64))), {
  description: "Rate card id; default: the account's card, else the default for its balance unit.",
});

/**
 * A request about one job or a list of jobs, with `extra` fields in both forms (the check and reservation
 * requests add theirs). The list form is the union's first option; parse with `safeParseJobRequest` so
 * that errors point into the form the caller used.
 */
export function jobRequestSchema<Extra extends z.core.$ZodShape>(extra: Extra) {
  const list = z.strictObject({
    jobs: withMeta(z.array(JobSpec).check(z.minLength(1)).check(z.maxLength(MAX_JOBS)), {
      description: `The jobs (1–${MAX_JOBS}).`,
    }),
    rateCard: RateCardId,
    ...extra,
  });
  // The extra fields make the output type generic; the job fields in it are still exactly JobFields.
  const single = z
    .strictObject({ ...jobShape, rateCard: RateCardId, ...extra })
    .check(z.superRefine((request, ctx) => checkJob(request as JobFields, ctx)));
  return z.union([list, single]);
}

export const EstimateRequest = withMeta(jobRequestSchema({}), {
  description: "One job spec, or { jobs: [...] }, plus an optional rateCard id.",
});
export type EstimateRequest = z.output<typeof EstimateRequest>;
export type EstimateRequestInput = z.input<typeof EstimateRequest>;

/**
 * Validates against the form the input is in (a `jobs` key means the list form), so that issues carry
 * precise paths (`jobs.0.durationSeconds`) instead of one opaque union failure.
 */
export function safeParseJobRequest<Schema extends z.ZodMiniUnion<readonly [z.ZodMiniType, z.ZodMiniType]>>(
  schema: Schema,
  input: unknown,
): z.util.SafeParseResult<z.output<Schema>> {
  const [list, single] = schema.def.options;
  const option = isJobList(input) ? list : single;
  return option.safeParse(input) as z.util.SafeParseResult<z.output<Schema>>;
}

function isJobList(input: unknown): boolean {
  return typeof input === "object" && input !== null && "jobs" in input;
}

/** The jobs of a request with the JSON pointer prefix each job's fields live under. */
export function jobsOf(request: EstimateRequest): { job: JobSpec; pointer: string }[] {
  if ("jobs" in request) return request.jobs.map((job, index) => ({ job, pointer: `/jobs/${index}` }));
  const { rateCard: _rateCard, ...job } = request;
  return [{ job, pointer: "" }];
}
