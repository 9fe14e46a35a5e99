import { ACCOUNT_ID_PATTERN, RELEASE_REASONS, SEVERITIES } from "#core/account";
import { BUDGET_ID_PATTERN, BUDGET_MODES } from "#core/budget";
import { BUDGET_PERIODS, isTimeZone } from "#core/budget-period";
import { jobRequestSchema } from "#core/job-spec";
import { MIN_AMOUNT } from "#core/reservations";
import * as z from "#core/zod";
import { withMeta } from "#core/zod-meta";
import { MAX_LIST_LIMIT, MAX_RESERVATION_PAGE } from "#service/list-limit";

/** Request schemas: the single source for validation, TypeScript types and the OpenAPI document. */

export const MAX_BODY_BYTES = 64 * 1024;
const MAX_AMOUNT = 1_000_000_000;

const AccountId = withMeta(z.string().check(z.regex(ACCOUNT_ID_PATTERN, "must match [a-z0-9-]{1,40}")), {
  description: "The account; optional when exactly one account is configured.",
});

const BudgetRef = withMeta(z.string().check(z.regex(BUDGET_ID_PATTERN, "must match [a-z0-9-]{1,40}")), {
  description:
    "A budget of the account to spend through (docs/budgets.md): granted only if both the account and the budget cover it.",
});

const HeldAmount = withMeta(z.number().check(z.gte(MIN_AMOUNT)).check(z.lte(MAX_AMOUNT)), {
  description: "Amount to hold, in the account's balance unit.",
});

export const CheckRequest = withMeta(
  jobRequestSchema({ accountId: z.optional(AccountId), budget: z.optional(BudgetRef) }),
  { description: "A job spec (or { jobs }) plus optional accountId, budget and rateCard." },
);

export const AmountCheckRequest = withMeta(
  z.strictObject({ accountId: z.optional(AccountId), budget: z.optional(BudgetRef), amount: HeldAmount }),
  { description: "May I spend `amount` now? (in the account's balance unit)." },
);

const TtlSeconds = withMeta(z.number().check(z.int()).check(z.gte(1)), {
  description: "How long the hold lasts before it expires (≤ reservations.maxTtlSeconds).",
});

export const AmountReservationRequest = withMeta(
  z.strictObject({
    accountId: z.optional(AccountId),
    budget: z.optional(BudgetRef),
    amount: HeldAmount,
    ttlSeconds: z.optional(TtlSeconds),
  }),
  { description: "Hold an explicit amount." },
);

export const JobReservationRequest = withMeta(
  jobRequestSchema({
    accountId: z.optional(AccountId),
    budget: z.optional(BudgetRef),
    ttlSeconds: z.optional(TtlSeconds),
  }),
  { description: "Hold the estimate of a job spec (or { jobs })." },
);

const Amount = z
  .number()
  .check(z.nonnegative())
  .check(z.lte(MAX_AMOUNT))
  .check(z.refine((v) => !(v > 0 && v < MIN_AMOUNT), `must be 0 or at least ${MIN_AMOUNT}`));

export const CommitRequest = withMeta(
  z
    .strictObject({
      actualAmount: withMeta(z.optional(Amount), {
        description:
          "What this commit records: a part (final: false), or the last part (final: true; after partial " +
          "commits, only what they did not record). Default for a final commit: what is still held. Not with totalAmount.",
      }),
      totalAmount: withMeta(z.optional(Amount), {
        description:
          "The job's whole cost: the guard records totalAmount − what is already committed (400 when below " +
          "it). Not with actualAmount.",
      }),
      final: withMeta(z._default(z.boolean(), true), {
        description: "false: record this part and keep the rest held; true (default): end the hold.",
      }),
      force: withMeta(z.optional(z.boolean()), {
        description:
          "true: record the commit even past the hold plus what is available (HeyGen really charged it): it " +
          "alerts (forced_commit) and the reservation keeps who forced it. Default: such a commit answers 409 " +
          "commit-exceeds-available and changes nothing.",
      }),
    })
    .check(
      z.superRefine((body, ctx) => {
        if (body.actualAmount !== undefined && body.totalAmount !== undefined) {
          const message = "give actualAmount (this part) or totalAmount (the job's whole cost), not both";
          ctx.addIssue({ code: "custom", path: ["actualAmount"], message });
          ctx.addIssue({ code: "custom", path: ["totalAmount"], message });
        } else if (!body.final && body.actualAmount === undefined && body.totalAmount === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["actualAmount"],
            message: "is required for a partial commit (final: false), or totalAmount",
          });
        }
      }),
    ),
  { description: "Commits spend against a hold, in parts or finally." },
);

export const ReleaseRequest = withMeta(
  z.strictObject({
    reason: withMeta(z.optional(z.enum(RELEASE_REASONS)), {
      description:
        "Why the hold is released, recorded on it. `insufficient_credit`: HeyGen refused the job for lack of " +
        "credit (e.g. 402 at create); the guard also reads the balance at once, as for a credit-failure webhook.",
    }),
  }),
  { description: "Returns a hold; the body, and its reason, may be omitted." },
);

export const ExtendRequest = withMeta(
  z
    .strictObject({
      amount: withMeta(z.optional(Amount), {
        description: "The new total to hold, at least the current amount.",
      }),
      ttlSeconds: withMeta(z.optional(TtlSeconds), {
        description: "The hold now expires this long from now.",
      }),
    })
    .check(
      z.refine((body) => body.amount !== undefined || body.ttlSeconds !== undefined, {
        message: "give amount, ttlSeconds or both",
      }),
    ),
  { description: "Raises a held reservation's amount and/or moves its expiry." },
);

export const WaitRequest = withMeta(
  z.strictObject({
    taskToken: withMeta(z.string().check(z.minLength(1)).check(z.maxLength(2048)), {
      description: "The waiting task's token: `$$.Task.Token` in a `.waitForTaskToken` state.",
    }),
  }),
  { description: "Registers a Step Functions task that waits for this hold's video." },
);

const IsoTime = z.iso.datetime({ offset: true });
const Limit = (max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int()).check(z.gte(1)).check(z.lte(max)), fallback);

export const HistoryQuery = z
  .strictObject({
    since: withMeta(z.optional(IsoTime), {
      description: "Oldest observation time (ISO 8601); not in the future, not after `until`.",
    }),
    until: withMeta(z.optional(IsoTime), {
      description: "Newest observation time (ISO 8601); may be in the future (up to now, then).",
    }),
    limit: withMeta(Limit(MAX_LIST_LIMIT, 100), {
      description: `At most this many snapshots (1–${MAX_LIST_LIMIT}, default 100).`,
    }),
  })
  // A reversed range matches nothing and is always a mistake (swapped arguments): both are named, so the
  // caller sees which pair contradicts.
  .check(
    z.superRefine(({ since, until }, ctx) => {
      if (since === undefined || until === undefined || Date.parse(since) <= Date.parse(until)) return;
      ctx.addIssue({ code: "custom", path: ["since"], message: `is after until (${until}); swap them` });
      ctx.addIssue({ code: "custom", path: ["until"], message: `is before since (${since}); swap them` });
    }),
  );

export const AlertsQuery = z.strictObject({
  limit: withMeta(Limit(MAX_LIST_LIMIT, 50), {
    description: `At most this many alerts (1–${MAX_LIST_LIMIT}, default 50).`,
  }),
});

export const EventsQuery = z.strictObject({
  limit: withMeta(Limit(MAX_LIST_LIMIT, 50), {
    description: `At most this many webhook deliveries (1–${MAX_LIST_LIMIT}, default 50).`,
  }),
});

export const ReservationsQuery = z.strictObject({
  accountId: z.optional(AccountId),
  status: withMeta(z.optional(z.enum(["held", "committed", "released", "expired"])), {
    description: "Only reservations in this state.",
  }),
  limit: withMeta(Limit(MAX_RESERVATION_PAGE, 20), {
    description: `At most this many (1–${MAX_RESERVATION_PAGE}, default 20).`,
  }),
  cursor: withMeta(z.optional(z.string().check(z.minLength(1)).check(z.maxLength(2000))), {
    description: "`nextCursor` of the page before.",
  }),
});

/** Refresh takes no fields; a field sent anyway is named in a 400 rather than silently ignored. */
export const RefreshRequest = withMeta(z.strictObject({}), {
  description: "Reads the balance now (no fields); the body may be omitted.",
});

export const TestAlertRequest = withMeta(
  z.strictObject({
    severity: withMeta(z._default(z.enum(SEVERITIES), "critical"), {
      description:
        "The alert's severity attribute (default critical, so that SMS subscribers, who filter on it, receive it too).",
    }),
  }),
  { description: "Sends a marked test alert; the body may be omitted." },
);

export const IdempotencyKey = z
  .string()
  .check(z.minLength(1))
  .check(z.maxLength(255))
  .check(z.regex(/^[\x21-\x7e]+$/, "must be 1–255 visible ASCII characters"));

/** A budget's id: `[a-z0-9-]{1,40}`, as a path segment. */
export const BudgetId = withMeta(z.string().check(z.regex(BUDGET_ID_PATTERN, "must match [a-z0-9-]{1,40}")), {
  description: "The budget's id, unique within the account.",
});

const LABEL_KEY = /^[a-z][a-z0-9_.-]{0,39}$/;
const MAX_LABELS = 10;
/** An IAM principal ARN or a pattern of them (`*` for any run of characters), as requestContext.authorizer.iam gives it. */
const AlertPercent = z.number().check(z.gt(0)).check(z.lte(100));

/** A budget's own alert percentages; critical below warning is refused on `critical`, naming both. */
const AlertPercents = withMeta(
  z
    .strictObject({
      warning: withMeta(AlertPercent, { description: "Percent of the limit used that alerts a warning." }),
      critical: withMeta(AlertPercent, { description: "Percent of the limit used that alerts critical." }),
    })
    .check(
      z.superRefine(({ warning, critical }, ctx) => {
        if (critical >= warning) return;
        ctx.addIssue({
          code: "custom",
          path: ["critical"],
          message: `must be at least warning (${warning}): 0 < warning ≤ critical ≤ 100`,
        });
      }),
    ),
  {
    description:
      "Percentages of the period's limit used that alert warning and critical (default 80 and 95; 100 % is always exhausted).",
  },
);

const PrincipalPattern = z
  .string()
  .check(z.maxLength(400))
  .check(
    z.regex(/^arn:aws[a-z-]*:(iam|sts)::(\d{12}|\*):\S+$/, "must be an IAM or STS ARN (patterns may use *)"),
  );

export const BudgetRequest = withMeta(
  z.strictObject({
    limit: withMeta(z.number().check(z.nonnegative()).check(z.lte(MAX_AMOUNT)), {
      description: "What holds and commits may use per period, in the account's balance unit.",
    }),
    period: withMeta(z.enum(BUDGET_PERIODS), {
      description:
        "hour, day, week (Monday first) or month of the calendar in timeZone, or total (no reset).",
    }),
    timeZone: withMeta(
      z._default(
        z.string().check(z.refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin")),
        "UTC",
      ),
      { description: "The IANA time zone whose calendar the periods follow (default UTC)." },
    ),
    mode: withMeta(z._default(z.enum(BUDGET_MODES), "hard"), {
      description: "hard (default): a reserve past the limit is refused; soft: granted, and alerted.",
    }),
    maxPerJob: withMeta(z.optional(z.number().check(z.gte(MIN_AMOUNT)).check(z.lte(MAX_AMOUNT))), {
      description: "The largest single hold the budget grants.",
    }),
    maxConcurrentHolds: withMeta(z.optional(z.number().check(z.int()).check(z.gte(1)).check(z.lte(1000))), {
      description: "Render slots: how many holds may be open through the budget at once.",
    }),
    principals: withMeta(z.optional(z.array(PrincipalPattern).check(z.minLength(1)).check(z.maxLength(20))), {
      description:
        "IAM principals (ARN patterns) allowed to read and spend through the budget; default anyone allowed by IAM.",
    }),
    labels: withMeta(
      z.optional(
        z
          .record(
            z.string().check(z.regex(LABEL_KEY, "must match [a-z][a-z0-9_.-]{0,39}")),
            z.string().check(z.maxLength(100)),
          )
          .check(
            z.refine((labels) => Object.keys(labels).length <= MAX_LABELS, `at most ${MAX_LABELS} labels`),
          ),
      ),
      {
        description: "Labels for reports (at most 10; keys [a-z][a-z0-9_.-]{0,39}, values ≤ 100 characters).",
      },
    ),
    alertPercents: z.optional(AlertPercents),
  }),
  { description: "A budget carved from the account (docs/budgets.md)." },
);

export const PauseRequest = withMeta(
  z.strictObject({
    reason: withMeta(
      z
        .string()
        .check(z.trim())
        .check(z.minLength(1, "must not be blank"))
        .check(z.maxLength(200, "must be at most 200 characters")),
      {
        description: "Why: shown in every check that denies and every reserve refused while paused.",
      },
    ),
  }),
  { description: "Pause the account: its kill switch." },
);

export const ResumeRequest = withMeta(z.strictObject({}), {
  description: "Nothing: a resume takes no fields (any field is refused, as a mistyped one would be).",
});

export const AuditQuery = z.strictObject({
  limit: withMeta(Limit(MAX_LIST_LIMIT, 50), {
    description: `At most this many entries (1–${MAX_LIST_LIMIT}, default 50).`,
  }),
  cursor: withMeta(z.optional(z.string().check(z.minLength(1)).check(z.maxLength(200))), {
    description: "The nextCursor of the page before, unchanged.",
  }),
});
