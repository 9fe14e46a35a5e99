import type { AccountConfig } from "#config/config";
import type { CommitBasis } from "#core/account";
import { type Estimate, estimate } from "#core/estimator";
import type { HeyGenEvent } from "#core/heygen-events";
import type { EstimateRequest } from "#core/job-spec";
import type { ReservationView } from "#core/reservations";
import type { Billed } from "#core/spend-ledger";
import { cardForAccount } from "./checks.ts";
import type { Services } from "./services.ts";

/**
 * What a HeyGen success event commits: the job priced at the duration HeyGen reports (in the event, else read
 * from the video), by the hold's own card and spec, so that the commit is the charge HeyGen made; else the
 * held amount.
 */

export interface Price {
  /** The job's price (hold's unit); undefined: commit what is held. */
  amount?: number;
  basis: CommitBasis;
  /** What HeyGen billed: the video, and the duration (seconds) the price was computed from, when known. */
  billed: Billed;
}

/** The job priced at HeyGen's reported duration, by the hold's own card and spec; else the held amount. */
export async function priceAtDuration(
  services: Services,
  account: AccountConfig,
  hold: ReservationView,
  event: HeyGenEvent,
  eventDuration: number | undefined,
): Promise<Price> {
  const videoId = event.event_data.video_id;
  const held: Price = { basis: "held-amount", billed: videoId ? { videoId } : {} };
  const single = singleJobSpec(hold.spec);
  const card = (hold.estimate as Estimate | undefined)?.rateCard;
  if (!single || !card) return held;
  let seconds = eventDuration;
  let basis: CommitBasis = "event-duration";
  if (seconds === undefined && videoId && services.videoSource) {
    seconds = await services
      .videoSource(account)
      .getVideoDuration(videoId)
      .catch((error: unknown) => {
        services.log.warn("video duration not read; committing the held amount", {
          accountId: account.id,
          videoId,
          error: error instanceof Error ? error.message : String(error),
        });
        return undefined;
      });
    basis = "video-duration";
  }
  if (seconds === undefined || seconds <= 0) return held;
  try {
    const priced = estimate(
      { ...single, durationSeconds: seconds } as EstimateRequest,
      cardForAccount(services, account, card, hold.unit),
    );
    return { amount: priced.total, basis, billed: { ...held.billed, durationSeconds: seconds } };
  } catch (error) {
    services.log.warn("job not priced at its duration; committing the held amount", {
      accountId: account.id,
      error: error instanceof Error ? error.message : String(error),
    });
    return held;
  }
}

/**
 * The spec of one output (not a list of jobs): its duration fields removed and `count` 1, so that a hold of
 * several outputs prices each at its own duration. Undefined for a list.
 */
function singleJobSpec(spec: unknown): Record<string, unknown> | undefined {
  if (typeof spec !== "object" || spec === null || "jobs" in spec) return undefined;
  const {
    durationSeconds: _d,
    script: _s,
    scenes: _c,
    voiceSpeed: _v,
    count: _n,
    ...rest
  } = spec as Record<string, unknown>;
  return { ...rest, count: 1 };
}
