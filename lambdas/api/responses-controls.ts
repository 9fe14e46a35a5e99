import { AUDIT_ACTIONS } from "#core/audit";
import { BUDGET_MODES } from "#core/budget";
import { BUDGET_PERIODS } from "#core/budget-period";
import * as z from "#core/zod";
import { withMeta } from "#core/zod-meta";
import { Amount, IsoTime, nullable } from "./responses.ts";

/** Answer schemas of what a team sets on an account: its budgets and its kill switch. */

export const Budget = withMeta(
  z.strictObject({
    id: z.string(),
    accountId: z.string(),
    limit: Amount,
    period: z.enum(BUDGET_PERIODS),
    timeZone: z.string(),
    periodStart: withMeta(z.string(), { description: "When the current period began (ISO time)." }),
    periodEnd: nullable(z.string(), "When it ends (ISO time, exclusive); null for total."),
    committed: withMeta(Amount, { description: "Committed this period by holds reserved in it." }),
    held: withMeta(Amount, { description: "Still held by holds reserved this period." }),
    available: withMeta(Amount, { description: "limit − committed − held; below 0 only in soft mode." }),
    mode: z.enum(BUDGET_MODES),
    maxPerJob: nullable(z.number(), "The largest single hold; null: no cap."),
    maxConcurrentHolds: nullable(z.number(), "Render slots; null: no cap."),
    openHolds: withMeta(z.number(), {
      description: "Holds open through the budget (slots in use), of any period.",
    }),
    paused: z.boolean(),
    pauseReason: z.optional(z.string()),
    pausedAt: z.optional(z.string()),
    pausedBy: z.optional(z.string()),
    principals: z.array(z.string()),
    labels: z.record(z.string(), z.string()),
    alertPercents: withMeta(z.strictObject({ warning: z.number(), critical: z.number() }), {
      description: "Percentages of the limit used that alert warning and critical (80 and 95 unless set).",
    }),
  }),
  { id: "Budget", description: "A budget and what it has used this period (docs/budgets.md)." },
);

export const BudgetList = withMeta(z.strictObject({ budgets: z.array(Budget) }), { id: "BudgetList" });

export const PauseAnswer = withMeta(
  z.strictObject({
    accountId: z.string(),
    paused: nullable(
      z.strictObject({ reason: z.string(), at: IsoTime, by: z.string() }),
      "Who paused the account, when and why; null once resumed.",
    ),
  }),
  { id: "PauseAnswer" },
);

export const AuditLog = withMeta(
  z.strictObject({
    accountId: z.string(),
    entries: z.array(
      z.strictObject({
        accountId: z.string(),
        at: IsoTime,
        by: withMeta(z.string(), { description: "The caller's IAM principal." }),
        action: z.enum(AUDIT_ACTIONS),
        target: withMeta(z.string(), { description: "`account`, or `budget:<budgetId>`." }),
        before: withMeta(z.optional(z.unknown()), {
          description: "The settings before; absent for something new.",
        }),
        after: withMeta(z.optional(z.unknown()), {
          description: "The settings after; absent for something deleted.",
        }),
      }),
    ),
    nextCursor: z.optional(z.string()),
  }),
  { id: "AuditLog", description: "Every budget change, pause and resume of the account, newest first." },
);
