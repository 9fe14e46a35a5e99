import type { CommitBasis, OutputOutcome } from "./account.ts";
import { roundAmount } from "./reservations.ts";

/**
 * A job with several outputs under one `callback_id` (field case G3: a translation into N languages sends N
 * outcomes; a hold of `count` videos), settled per output: each success commits its share, each failure
 * releases its share, and the hold ends when every output is terminal (docs/webhooks.md "Several outputs").
 */

/**
 * How many outputs a hold pays for: the `count` of the single job spec it was estimated from; 1 for a hold of
 * an amount or of a list of jobs (which job an output belongs to cannot be told, so the first outcome ends it).
 */
export function outputCountOf(spec: unknown): number {
  if (typeof spec !== "object" || spec === null || "jobs" in spec) return 1;
  const count = (spec as { count?: unknown }).count;
  return typeof count === "number" && Number.isInteger(count) && count > 1 ? count : 1;
}

/** An output's share of the hold when its own price is not known: the authorised total split evenly. */
export function heldShareOf(amount: number, outputs: number): number {
  return roundAmount(amount / outputs);
}

const BASIS_PRECISION: readonly CommitBasis[] = ["held-amount", "video-duration", "event-duration"];

/** The basis a hold of several committed shares shows: the least precise of its shares' bases. */
export function weakestBasis(bases: readonly CommitBasis[]): CommitBasis {
  return BASIS_PRECISION.find((basis) => bases.includes(basis)) ?? "held-amount";
}

/** What a job of several outputs tells the task that waits on it, once every output is terminal. */
export type JobVerdict =
  | { status: "success" }
  | { status: "failure"; error: "VideoFailed" | "InsufficientCredits"; cause: string };

/**
 * One outcome for the whole job: success when any output succeeded (the pipeline has something to use, and
 * the hold is committed for it); when all failed, `InsufficientCredits` if any failed for lack of credit
 * (the account needs credit before a retry), else `VideoFailed`. The cause names each failed output.
 */
export function jobVerdictOf(outputs: Readonly<Record<string, OutputOutcome>>): JobVerdict {
  const all = Object.entries(outputs);
  if (all.some(([, output]) => output.outcome === "success")) return { status: "success" };
  const cause = all.map(([id, output]) => `${id}: ${output.reason || "failed"}`).join("; ");
  const credit = all.some(([, output]) => output.insufficientCredit);
  return { status: "failure", error: credit ? "InsufficientCredits" : "VideoFailed", cause };
}
