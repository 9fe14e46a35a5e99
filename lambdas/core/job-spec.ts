import * as z from "./zod.ts";
import { described } from "./zod-meta.ts";

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

export const JobType = described(z.enum(JOB_TYPES), "JobType");
export type JobType = z.infer<typeof JobType>;
export const Engine = described(z.enum(ENGINES), "Engine");
export type Engine = z.infer<typeof Engine>;
export const Resolution = described(z.enum(RESOLUTIONS), "Resolution");
export type Resolution = z.infer<typeof Resolution>;
export const TranslationMode = described(z.enum(TRANSLATION_MODES), "TranslationMode");
export type TranslationMode = z.infer<typeof TranslationMode>;

const DurationSeconds = described(
  z.number().check(z.positive()).check(z.lte(MAX_DURATION_SECONDS)),
  "DurationSeconds",
);
const Script = described(
  z.string().check(z.minLength(1)).check(z.maxLength(MAX_SCRIPT_CHARACTERS)),
  "Script",
);
const VoiceSpeed = described(z.number().check(z.gte(0.5)).check(z.lte(2)), "VoiceSpeed");

export const Scene = described(
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
  "Scene",
);
export type Scene = z.infer<typeof Scene>;

export const Dimension = described(
  z.strictObject({
    width: z.number().check(z.int()).check(z.gte(1)).check(z.lte(MAX_DIMENSION_PIXELS)),
    height: z.number().check(z.int()).check(z.gte(1)).check(z.lte(MAX_DIMENSION_PIXELS)),
  }),
  "Dimension",
);
export type Dimension = z.infer<typeof Dimension>;

const jobShape = {
  type: z._default(JobType, "avatar_video"),
  engine: described(z.optional(Engine), "jobShape.engine"),
  durationSeconds: z.optional(DurationSeconds),
  script: z.optional(Script),
  voiceSpeed: z.optional(VoiceSpeed),
  scenes: described(
    z.optional(z.array(Scene).check(z.minLength(1)).check(z.maxLength(MAX_SCENES))),
    "jobShape.scenes",
  ),
  resolution: described(z.optional(Resolution), "jobShape.resolution"),
  dimension: z.optional(Dimension),
  translationMode: z.optional(TranslationMode),
  test: described(z._default(z.boolean(), false), "jobShape.test"),
  count: described(
    z._default(z.number().check(z.int()).check(z.gte(1)).check(z.lte(MAX_COUNT)), 1),
    "jobShape.count",
  ),
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

export const JobSpec = described(z.strictObject(jobShape).check(z.superRefine(checkJob)), "JobSpec");
export type JobSpec = z.output<typeof JobSpec>;
export type JobSpecInput = z.input<typeof JobSpec>;

const RateCardId = described(
  z.optional(z.string().check(z.minLength(1)).check(z.maxLength(64))),
  "RateCardId",
);

/**
 * A request about one job or a list of jobs, with `extra` fields in both forms (the check and reservation
 * requests add theirs). The list form is the union's first option; parse with `safeParseJobRequest` so
 * that errors point into the form the caller used.
 */
export function jobRequestSchema<Extra extends z.core.$ZodShape>(extra: Extra) {
  const list = z.strictObject({
    jobs: described(z.array(JobSpec).check(z.minLength(1)).check(z.maxLength(MAX_JOBS)), "jobRequest.jobs"),
    rateCard: RateCardId,
    ...extra,
  });
  // The extra fields make the output type generic; the job fields in it are still exactly JobFields.
  const single = z
    .strictObject({ ...jobShape, rateCard: RateCardId, ...extra })
    .check(z.superRefine((request, ctx) => checkJob(request as JobFields, ctx)));
  return z.union([list, single]);
}

export const EstimateRequest = described(jobRequestSchema({}), "EstimateRequest");
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
