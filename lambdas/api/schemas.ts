import * as z from "zod";
import { ACCOUNT_ID_PATTERN } from "#config/config";
import { jobRequestSchema } from "#core/job-spec";
import { MIN_AMOUNT } from "#core/reservations";

/** Request schemas: the single source for validation, TypeScript types and the OpenAPI document. */

export const MAX_BODY_BYTES = 64 * 1024;
const MAX_AMOUNT = 1_000_000_000;

const AccountId = z
  .string()
  .regex(ACCOUNT_ID_PATTERN, "must match [a-z0-9-]{1,40}")
  .meta({ description: "The account; optional when exactly one account is configured." });

export const CheckRequest = jobRequestSchema({ accountId: AccountId.optional() }).meta({
  description: "A job spec (or { jobs }) plus optional accountId and rateCard.",
});

const TtlSeconds = z
  .number()
  .int()
  .min(1)
  .meta({ description: "How long the hold lasts before it expires (≤ reservations.maxTtlSeconds)." });

export const AmountReservationRequest = z
  .strictObject({
    accountId: AccountId.optional(),
    amount: z
      .number()
      .min(MIN_AMOUNT)
      .max(MAX_AMOUNT)
      .meta({ description: "Amount to hold, in the account's balance unit." }),
    ttlSeconds: TtlSeconds.optional(),
  })
  .meta({ description: "Hold an explicit amount." });

export const JobReservationRequest = jobRequestSchema({
  accountId: AccountId.optional(),
  ttlSeconds: TtlSeconds.optional(),
}).meta({ description: "Hold the estimate of a job spec (or { jobs })." });

export const CommitRequest = z
  .strictObject({
    actualAmount: z
      .number()
      .nonnegative()
      .max(MAX_AMOUNT)
      .refine((v) => !(v > 0 && v < MIN_AMOUNT), `must be 0 or at least ${MIN_AMOUNT}`)
      .optional()
      .meta({ description: "What the job really cost, when known; default: the held amount." }),
  })
  .meta({ description: "Ends a hold as spent." });

export const ReleaseRequest = z.strictObject({}).meta({ description: "Returns a hold (no fields)." });

const IsoTime = z.iso.datetime({ offset: true });
const Limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const HistoryQuery = z.strictObject({
  since: IsoTime.optional().meta({ description: "Oldest observation time (ISO 8601)." }),
  until: IsoTime.optional().meta({ description: "Newest observation time (ISO 8601)." }),
  limit: Limit(1000, 100).meta({ description: "At most this many snapshots (1–1000, default 100)." }),
});

export const AlertsQuery = z.strictObject({
  limit: Limit(1000, 50).meta({ description: "At most this many alerts (1–1000, default 50)." }),
});

export const TestAlertRequest = z
  .strictObject({
    severity: z.enum(["info", "warning", "critical"]).default("critical").meta({
      description:
        "The alert's severity attribute (default critical, so that SMS subscribers, who filter on it, receive it too).",
    }),
  })
  .meta({ description: "Sends a marked test alert; the body may be omitted." });

export const IdempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, "must be 1–255 visible ASCII characters");

export const ReservationId = z
  .string()
  .regex(/^rsv_[a-z0-9-]{1,40}_[A-Za-z0-9_-]{22}$/, "is not a reservation id");
