import type { EstimateRequest, ReservationStatus } from "@heygen-quota-guard/client";

/**
 * The API's job-spec enums, for the CLI's help. The CLI depends only on the client package (no zod, no
 * server code), so it cannot import lambdas/core/job-spec.ts; instead each list is checked twice against
 * the API: here by the compiler against the client's generated types (a value the API lacks, or one it
 * has and the list misses, fails `tsc`), and by test/unit/cli/api-enums.test.ts against job-spec.ts itself
 * (same values, same order, the first one the API's default).
 */

type Job = Exclude<EstimateRequest, { jobs: unknown }>;
/** `true` only when `List` holds exactly the members of `Union`. */
type Exactly<List extends readonly unknown[], Union> = [Union] extends [List[number]]
  ? [List[number]] extends [Union]
    ? true
    : false
  : false;

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
export const RESERVATION_STATUSES = ["held", "committed", "released", "expired"] as const;

const exact: [
  Exactly<typeof JOB_TYPES, NonNullable<Job["type"]>>,
  Exactly<typeof ENGINES, NonNullable<Job["engine"]>>,
  Exactly<typeof RESOLUTIONS, NonNullable<Job["resolution"]>>,
  Exactly<typeof TRANSLATION_MODES, NonNullable<Job["translationMode"]>>,
  Exactly<typeof RESERVATION_STATUSES, ReservationStatus>,
] = [true, true, true, true, true];
void exact;

/** A help list: "avatar_iv (default), avatar_v, ..."; `defaultValue` is marked when given. */
export function helpList(values: readonly string[], defaultValue?: string): string {
  return values.map((v) => (v === defaultValue ? `${v} (default)` : v)).join(", ");
}
