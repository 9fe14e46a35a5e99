import type { CommitBasis } from "./account.ts";
import type { Unit } from "./balance.ts";
import type { Estimate } from "./estimate.ts";
import type { HoldRecord } from "./hold-record.ts";
import type { Labels } from "./labels.ts";
import type { HoldFields } from "./reservation-writes.ts";
import { roundAmount } from "./reservations.ts";

/**
 * The spend ledger (docs/spend.md): one entry per commit, written in the commit's own transaction, so the
 * ledger holds exactly what the guard committed: a retried or replayed commit writes none, a refused one none.
 * Reports, reconciliation and estimate accuracy read only the ledger.
 */

/** What HeyGen billed, when a webhook knows it: the video and the duration its price was computed from. */
export interface Billed {
  /** Seconds of video HeyGen reported (the event's duration, or `GET /v3/videos/{id}`'s). */
  durationSeconds?: number;
  videoId?: string;
}

/** One commit as the ledger keeps it; amounts in `unit` (usd or credits, the hold's unit). */
export interface SpendEntry {
  /** ISO time of the commit. */
  at: string;
  accountId: string;
  reservationId: string;
  /** The hold's version after the commit: one entry per change of the hold, so keys never collide. */
  seq: number;
  /** What this commit recorded (a part, or the last part), ≥ 0. */
  amount: number;
  unit?: Unit;
  /** The commit ended the hold. */
  final: boolean;
  /**
   * The estimate of what this entry settles: the job's whole estimate on a final commit, an output's share of
   * it on an output's commit; absent on a partial commit and on a hold of an explicit amount.
   */
  estimatedAmount?: number;
  /** What that estimated work really cost: the job's committed total (final), the output's part (output). */
  actualAmount?: number;
  /** The estimate's job type: one type, `mixed` for a list of several, absent for an explicit amount. */
  jobType?: string;
  /** The estimate's engine, likewise (`mixed`; absent when no line has one). */
  engine?: string;
  /** The rate card the estimate priced with. */
  rateCard?: string;
  /** How a webhook's commit chose its amount (absent: the pipeline's own commit). */
  commitBasis?: CommitBasis;
  durationSeconds?: number;
  videoId?: string;
  labels?: Labels;
  /** The IAM principal that made the hold. */
  principal?: string;
  /** The budget the hold was reserved through. */
  budget?: string;
}

/** What a commit knows beyond the hold: its part, whether it ends the hold, and HeyGen's billing facts. */
export interface CommittedPart {
  part: number;
  final: boolean;
  /** The hold's fields after the commit (committedAmount, commitBasis, version is bumped by the store). */
  set: HoldFields;
  at: string;
  billed?: Billed;
  /** An output's commit of a hold of `outputs` outputs: the estimate is shared among them. */
  outputs?: number;
}

/** The ledger write a commit carries: its entry, and the epoch second after which DynamoDB may delete it. */
export interface LedgerWrite {
  write: "ledger";
  entry: SpendEntry;
  ttl: number;
}

/**
 * The ledger write of a commit of `hold` (as read). The entry is kept as long as the hold's own items after
 * its expiry (config retentionDays, which the hold's TTL already encodes), counted from the commit.
 */
export function ledgerWriteOf(hold: HoldRecord, committed: CommittedPart): LedgerWrite {
  const { part, final, set, at, billed } = committed;
  const estimate = hold.estimate as Estimate | undefined;
  const entry: SpendEntry = {
    at,
    accountId: hold.accountId,
    reservationId: hold.id,
    seq: hold.version + 1,
    amount: part,
    final,
    ...(hold.unit ? { unit: hold.unit } : {}),
    ...estimatedOf(estimate, committed, set.committedAmount ?? 0),
    ...(estimate ? jobOf(estimate) : {}),
    ...(set.commitBasis ? { commitBasis: set.commitBasis } : {}),
    ...(billed?.durationSeconds !== undefined ? { durationSeconds: billed.durationSeconds } : {}),
    ...(billed?.videoId ? { videoId: billed.videoId } : {}),
    ...(hold.labels ? { labels: hold.labels } : {}),
    ...(hold.principal ? { principal: hold.principal } : {}),
    ...(hold.budget ? { budget: hold.budget.budgetId } : {}),
  };
  return { write: "ledger", entry, ttl: Math.floor(Date.parse(at) / 1000) + retentionSecondsOf(hold) };
}

function estimatedOf(
  estimate: Estimate | undefined,
  { part, final, outputs }: CommittedPart,
  committedTotal: number,
): Pick<SpendEntry, "estimatedAmount" | "actualAmount"> {
  if (!estimate) return {};
  if (outputs !== undefined)
    return { estimatedAmount: roundAmount(estimate.total / outputs), actualAmount: part };
  return final ? { estimatedAmount: estimate.total, actualAmount: committedTotal } : {};
}

/** The job type, engine and rate card of an estimate: one value, or `mixed` when its lines differ. */
function jobOf(estimate: Estimate): Pick<SpendEntry, "jobType" | "engine" | "rateCard"> {
  const one = (values: (string | null)[]) => {
    const distinct = [...new Set(values.filter((v): v is string => v !== null))];
    return distinct.length === 0 ? undefined : distinct.length === 1 ? distinct[0] : "mixed";
  };
  const jobType = one(estimate.lines.map((line) => line.type));
  const engine = one(estimate.lines.map((line) => line.engine));
  return {
    rateCard: estimate.rateCard,
    ...(jobType ? { jobType } : {}),
    ...(engine ? { engine } : {}),
  };
}

/** config retentionDays in seconds, as the hold's TTL encodes it (ttl = expiry + retention; reserve-plan.ts). */
function retentionSecondsOf(hold: HoldRecord): number {
  return Math.max(0, hold.ttl - Math.floor(hold.expiresAtMs / 1000));
}
