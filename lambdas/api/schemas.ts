import { ACCOUNT_ID_PATTERN, RELEASE_REASONS, SEVERITIES } from "#core/account";
import { BUDGET_ID_PATTERN, BUDGET_MODES } from "#core/budget";
import { BUDGET_PERIODS, isTimeZone } from "#core/budget-period";
import { jobRequestSchema } from "#core/job-spec";
import { LABEL_FILTER_PREFIX, LABEL_KEY_PATTERN, MAX_LABEL_VALUE, MAX_LABELS } from "#core/labels";
import { MIN_AMOUNT } from "#core/reservations";
import * as z from "#core/zod";
import { described } from "#core/zod-meta";
import { MAX_LIST_LIMIT, MAX_RESERVATION_PAGE } from "#service/list-limit";

/** Request schemas: the single source for validation, TypeScript types and the OpenAPI document. */

export const MAX_BODY_BYTES = 64 * 1024;
const MAX_AMOUNT = 1_000_000_000;

const AccountId = described(
  z.string().check(z.regex(ACCOUNT_ID_PATTERN, "must match [a-z0-9-]{1,40}")),
  "AccountId",
);

const BudgetRef = described(
  z.string().check(z.regex(BUDGET_ID_PATTERN, "must match [a-z0-9-]{1,40}")),
  "BudgetRef",
);

/**
 * Labels a caller puts on a check, a reservation or a budget, reported on in spend reports (`groupBy=label:<key>`):
 * at most MAX_LABELS keys matching LABEL_KEY_PATTERN, each value at most MAX_LABEL_VALUE characters.
 */
export const Labels = described(
  z
    .record(
      z.string().check(z.regex(LABEL_KEY_PATTERN, "must match [a-z][a-z0-9_.-]{0,39}")),
      z.string().check(z.maxLength(MAX_LABEL_VALUE)),
    )
    .check(z.refine((labels) => Object.keys(labels).length <= MAX_LABELS, `at most ${MAX_LABELS} labels`)),
  "Labels",
);

const HeldAmount = described(z.number().check(z.gte(MIN_AMOUNT)).check(z.lte(MAX_AMOUNT)), "HeldAmount");

export const CheckRequest = described(
  jobRequestSchema({
    accountId: z.optional(AccountId),
    budget: z.optional(BudgetRef),
    labels: z.optional(Labels),
  }),
  "CheckRequest",
);

export const AmountCheckRequest = described(
  z.strictObject({
    accountId: z.optional(AccountId),
    budget: z.optional(BudgetRef),
    labels: z.optional(Labels),
    amount: HeldAmount,
  }),
  "AmountCheckRequest",
);

const TtlSeconds = described(z.number().check(z.int()).check(z.gte(1)), "TtlSeconds");

export const AmountReservationRequest = described(
  z.strictObject({
    accountId: z.optional(AccountId),
    budget: z.optional(BudgetRef),
    labels: z.optional(Labels),
    amount: HeldAmount,
    ttlSeconds: z.optional(TtlSeconds),
  }),
  "AmountReservationRequest",
);

export const JobReservationRequest = described(
  jobRequestSchema({
    accountId: z.optional(AccountId),
    budget: z.optional(BudgetRef),
    labels: z.optional(Labels),
    ttlSeconds: z.optional(TtlSeconds),
  }),
  "JobReservationRequest",
);

const Amount = z
  .number()
  .check(z.nonnegative())
  .check(z.lte(MAX_AMOUNT))
  .check(z.refine((v) => !(v > 0 && v < MIN_AMOUNT), `must be 0 or at least ${MIN_AMOUNT}`));

export const CommitRequest = described(
  z
    .strictObject({
      actualAmount: described(z.optional(Amount), "CommitRequest.actualAmount"),
      totalAmount: described(z.optional(Amount), "CommitRequest.totalAmount"),
      final: described(z._default(z.boolean(), true), "CommitRequest.final"),
      force: described(z.optional(z.boolean()), "CommitRequest.force"),
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
  "CommitRequest",
);

export const ReleaseRequest = described(
  z.strictObject({
    reason: described(z.optional(z.enum(RELEASE_REASONS)), "ReleaseRequest.reason"),
  }),
  "ReleaseRequest",
);

export const ExtendRequest = described(
  z
    .strictObject({
      amount: described(z.optional(Amount), "ExtendRequest.amount"),
      ttlSeconds: described(z.optional(TtlSeconds), "ExtendRequest.ttlSeconds"),
    })
    .check(
      z.refine((body) => body.amount !== undefined || body.ttlSeconds !== undefined, {
        message: "give amount, ttlSeconds or both",
      }),
    ),
  "ExtendRequest",
);

export const WaitRequest = described(
  z.strictObject({
    taskToken: described(z.string().check(z.minLength(1)).check(z.maxLength(2048)), "WaitRequest.taskToken"),
  }),
  "WaitRequest",
);

export const IsoTime = z.iso.datetime({
  offset: true,
  error: "must be an ISO 8601 time with a zone, e.g. 2026-12-01T00:00:00Z (URL-encode a + offset as %2B)",
});
const Limit = (max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int()).check(z.gte(1)).check(z.lte(max)), fallback);

export const HistoryQuery = z
  .strictObject({
    since: described(z.optional(IsoTime), "HistoryQuery.since"),
    until: described(z.optional(IsoTime), "HistoryQuery.until"),
    limit: described(Limit(MAX_LIST_LIMIT, 100), "HistoryQuery.limit"),
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
  limit: described(Limit(MAX_LIST_LIMIT, 50), "AlertsQuery.limit"),
});

export const EventsQuery = z.strictObject({
  limit: described(Limit(MAX_LIST_LIMIT, 50), "EventsQuery.limit"),
});

/**
 * The listing's parameters, and any number (up to MAX_LABELS) of `label.<key>=<value>` filters: a parameter
 * that is neither is refused by name, as a strict object would.
 */
export const ReservationsQuery = z
  .catchall(
    z.strictObject({
      accountId: z.optional(AccountId),
      status: described(
        z.optional(z.enum(["held", "committed", "released", "expired"])),
        "ReservationsQuery.status",
      ),
      limit: described(Limit(MAX_RESERVATION_PAGE, 20), "ReservationsQuery.limit"),
      cursor: described(
        z.optional(z.string().check(z.minLength(1)).check(z.maxLength(2000))),
        "ReservationsQuery.cursor",
      ),
    }),
    z.string().check(z.maxLength(MAX_LABEL_VALUE)),
  )
  .check(z.superRefine(checkLabelFilters));

const LISTING_PARAMETERS = new Set(["accountId", "status", "limit", "cursor"]);

function checkLabelFilters(query: Record<string, unknown>, ctx: z.core.$RefinementCtx<object>): void {
  const filters = Object.keys(query).filter((name) => !LISTING_PARAMETERS.has(name));
  for (const name of filters) {
    const key = name.startsWith(LABEL_FILTER_PREFIX) ? name.slice(LABEL_FILTER_PREFIX.length) : undefined;
    if (key === undefined) {
      const message = "is not a parameter of this listing; filter by a label with label.<key>=<value>";
      ctx.addIssue({ code: "custom", path: [name], message });
    } else if (!LABEL_KEY_PATTERN.test(key)) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: "a label key must match [a-z][a-z0-9_.-]{0,39}",
      });
    }
  }
  if (filters.length > MAX_LABELS) {
    ctx.addIssue({
      code: "custom",
      path: [filters[MAX_LABELS] ?? ""],
      message: `at most ${MAX_LABELS} label filters`,
    });
  }
}

/** Refresh takes no fields; a field sent anyway is named in a 400 rather than silently ignored. */
export const RefreshRequest = described(z.strictObject({}), "RefreshRequest");

export const TestAlertRequest = described(
  z.strictObject({
    severity: described(z._default(z.enum(SEVERITIES), "critical"), "TestAlertRequest.severity"),
  }),
  "TestAlertRequest",
);

export const IdempotencyKey = z
  .string()
  .check(z.minLength(1))
  .check(z.maxLength(255))
  .check(z.regex(/^[\x21-\x7e]+$/, "must be 1–255 visible ASCII characters"));

/** A budget's id: `[a-z0-9-]{1,40}`, as a path segment. */
export const BudgetId = described(
  z.string().check(z.regex(BUDGET_ID_PATTERN, "must match [a-z0-9-]{1,40}")),
  "BudgetId",
);

/** An IAM principal ARN or a pattern of them (`*` for any run of characters), as requestContext.authorizer.iam gives it. */
const AlertPercent = z.number().check(z.gt(0)).check(z.lte(100));

/** A budget's own alert percentages; critical below warning is refused on `critical`, naming both. */
const AlertPercents = described(
  z
    .strictObject({
      warning: described(AlertPercent, "AlertPercents.warning"),
      critical: described(AlertPercent, "AlertPercents.critical"),
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
  "AlertPercents",
);

const PrincipalPattern = z
  .string()
  .check(z.maxLength(400))
  .check(
    z.regex(/^arn:aws[a-z-]*:(iam|sts)::(\d{12}|\*):\S+$/, "must be an IAM or STS ARN (patterns may use *)"),
  );

export const BudgetRequest = described(
  z.strictObject({
    limit: described(z.number().check(z.nonnegative()).check(z.lte(MAX_AMOUNT)), "BudgetRequest.limit"),
    period: described(z.enum(BUDGET_PERIODS), "BudgetRequest.period"),
    timeZone: described(
      z._default(
        z.string().check(z.refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin")),
        "UTC",
      ),
      "BudgetRequest.timeZone",
    ),
    mode: described(z._default(z.enum(BUDGET_MODES), "hard"), "BudgetRequest.mode"),
    maxPerJob: described(
      z.optional(z.number().check(z.gte(MIN_AMOUNT)).check(z.lte(MAX_AMOUNT))),
      "BudgetRequest.maxPerJob",
    ),
    maxConcurrentHolds: described(
      z.optional(z.number().check(z.int()).check(z.gte(1)).check(z.lte(1000))),
      "BudgetRequest.maxConcurrentHolds",
    ),
    principals: described(
      z.optional(z.array(PrincipalPattern).check(z.minLength(1)).check(z.maxLength(20))),
      "BudgetRequest.principals",
    ),
    labels: described(z.optional(Labels), "BudgetRequest.labels"),
    alertPercents: z.optional(AlertPercents),
  }),
  "BudgetRequest",
);

export const PauseRequest = described(
  z.strictObject({
    reason: described(
      z
        .string()
        .check(z.trim())
        .check(z.minLength(1, "must not be blank"))
        .check(z.maxLength(200, "must be at most 200 characters")),
      "PauseRequest.reason",
    ),
  }),
  "PauseRequest",
);

export const ResumeRequest = described(z.strictObject({}), "ResumeRequest");

export const AuditQuery = z.strictObject({
  limit: described(Limit(MAX_LIST_LIMIT, 50), "AuditQuery.limit"),
  cursor: described(
    z.optional(z.string().check(z.minLength(1)).check(z.maxLength(200))),
    "AuditQuery.cursor",
  ),
});
