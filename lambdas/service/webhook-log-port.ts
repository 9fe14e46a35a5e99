import type { CommitBasis } from "#core/account";
import type { SignatureScheme } from "#core/webhook-signature";

/** One HeyGen webhook delivery as the guard handled it (the per-account webhook log). */
export interface WebhookLogEntry {
  accountId: string;
  receivedAt: string;
  eventType: string;
  videoId?: string;
  /** The output the event is about, when it is not the video id (a translation's id; outputIdOf). */
  outputId?: string;
  eventId?: string;
  callbackId?: string;
  /**
   * What the guard did: `committed` / `released` the hold, `replayed` (the pipeline or an earlier delivery
   * had already settled it the same way), `conflict` (it was settled otherwise), `unknown-reservation`, or
   * `ignored` (an event type that settles nothing).
   */
  action: "committed" | "released" | "replayed" | "conflict" | "unknown-reservation" | "ignored";
  reservationId?: string;
  /** The failure HeyGen reported, for a `.fail` event. */
  reason?: string;
  /** The actual amount and its basis, for a commit. */
  actualAmount?: number;
  commitBasis?: CommitBasis;
  /** The signature scheme that verified the delivery (core/webhook-signature.ts); absent on older entries. */
  signatureScheme?: SignatureScheme;
}

/** The webhook log: one entry per delivery, recognised again by its delivery keys (see deliveryKeys). */
export interface WebhookLogStore {
  /** True when a delivery with any of these keys was already recorded for the account. */
  seenDelivery(accountId: string, deliveryKeys: readonly string[]): Promise<boolean>;
  /**
   * Records the entry with its delivery keys in one transaction, kept `retentionDays`; false (and nothing
   * written) when one of the keys was recorded before.
   */
  recordDelivery(
    entry: WebhookLogEntry,
    deliveryKeys: readonly string[],
    retentionDays: number,
  ): Promise<boolean>;
  /** The account's webhook log, newest first, at most `limit` (1–MAX_LIST_LIMIT). */
  listWebhookEvents(accountId: string, limit: number): Promise<WebhookLogEntry[]>;
}
