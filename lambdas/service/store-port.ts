import type { AccountStateStore } from "./account-state-port.ts";
import type { AuditLog } from "./audit-port.ts";
import type { BudgetStore } from "./budget-port.ts";
import type { HistoryStore, OwedAlertStore } from "./history-port.ts";
import type { PollStore } from "./poll-port.ts";
import type { ReservationStore } from "./reservation-port.ts";
import type { SpendLedger } from "./spend-port.ts";
import type { TaskCallbackStore } from "./task-callback-port.ts";
import type { WebhookLogStore } from "./webhook-log-port.ts";

/**
 * Everything the use cases store: the ten ports together, as lambdas/store/dynamo-store.ts assembles them from
 * one DynamoDB adapter per port. Each port is in its own file next to the use cases that own it; a use case
 * depends on the ports it needs, not on this.
 */
export interface AccountStore
  extends AccountStateStore,
    ReservationStore,
    PollStore,
    HistoryStore,
    OwedAlertStore,
    WebhookLogStore,
    TaskCallbackStore,
    BudgetStore,
    AuditLog,
    SpendLedger {}
