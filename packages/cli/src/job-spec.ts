import { readFileSync } from "node:fs";
import type { EstimateRequest } from "@heygen-quota-guard/client";
import { type Command, InvalidArgumentError, Option } from "commander";
import { ENGINES, helpList, JOB_TYPES, RESOLUTIONS, TRANSLATION_MODES } from "./api-enums.ts";
import { UsageError } from "./failure.ts";

/** The job-spec flags of `estimate`, `check` and `reserve`, as commander parses them. */
export interface JobFlags {
  spec?: string;
  duration?: number;
  scriptFile?: string;
  engine?: string;
  resolution?: string;
  type?: string;
  translationMode?: string;
  count?: number;
  test?: boolean;
  rateCard?: string;
}

/** A number flag; anything else is a usage error (exit 2) before any request is sent. */
export function numberArg(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError("must be a number");
  return n;
}

/** Adds the job-spec flags; the values are checked by the API, which names the field of a bad one. */
export function withJobFlags(command: Command): Command {
  return command
    .option("--spec <file>", "the request body as JSON (a job, or {jobs: [...]}); flags below override it")
    .option("--duration <seconds>", "video duration in seconds", numberArg)
    .option("--script-file <path>", "the script; its duration is estimated from its words")
    .option("--engine <engine>", helpList(ENGINES, "avatar_iv"))
    .option("--resolution <tier>", helpList(RESOLUTIONS, "720p"))
    .option("--type <type>", helpList(JOB_TYPES, "avatar_video"))
    .option(
      "--translation-mode <mode>",
      `for video_translation and lipsync: ${helpList(TRANSLATION_MODES)} (the rate card says which it prices)`,
    )
    .option("--count <n>", "copies of the job", numberArg)
    .addOption(new Option("--test", "HeyGen test mode (free where the card says so)"))
    .option("--rate-card <id>", "price with this rate card");
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

/**
 * The request body the flags describe: `--spec` file, overridden field by field by the other flags. Typed
 * as the API's request, though only the API checks it: a bad field comes back as a 400 naming it (exit 2).
 */
export function jobRequest(flags: JobFlags): EstimateRequest {
  let body: Record<string, unknown> = {};
  if (flags.spec !== undefined) {
    try {
      body = JSON.parse(readText(flags.spec, "--spec")) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--spec ${flags.spec} is not JSON: ${(error as Error).message}`);
    }
  }
  const fields: Record<string, unknown> = {
    durationSeconds: flags.duration,
    script: flags.scriptFile === undefined ? undefined : readText(flags.scriptFile, "--script-file"),
    engine: flags.engine,
    resolution: flags.resolution,
    type: flags.type,
    translationMode: flags.translationMode,
    count: flags.count,
    test: flags.test,
    rateCard: flags.rateCard,
  };
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) body[name] = value;
  return body as EstimateRequest;
}
