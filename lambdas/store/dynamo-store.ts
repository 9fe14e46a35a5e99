import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AccountStore } from "#service/store-port";
import { DynamoAccountStateStore } from "./account-state-store.ts";
import { DynamoAuditLog } from "./audit-store.ts";
import { DynamoBudgetStore } from "./budget-store.ts";
import { DynamoHistoryStore } from "./history-store.ts";
import { DynamoOwedAlertsStore } from "./owed-alerts-store.ts";
import { DynamoPollStore } from "./poll-store.ts";
import { DynamoReservationStore } from "./reservation-store.ts";
import { DynamoSpendLedger } from "./spend-store.ts";
import { DynamoTaskCallbackStore } from "./task-callback-store.ts";
import { THROTTLE_RETRY, type ThrottleRetryPolicy, withThrottleRetries } from "./throttling.ts";
import { DynamoWebhookLogStore } from "./webhook-log-store.ts";

/**
 * The DynamoDB actions this store performs on its table and indexes, which infra grants to every function
 * that uses it (and nothing more): Get, BatchGet, Query, Put, Update, and Delete (of a budget, on request); a
 * TransactWriteItems is authorised as the Put and Update it contains. Everything else that goes, TTL removes;
 * nothing scans the table.
 * test/unit/store/store-actions.test.ts keeps this list true to the commands the store's code sends.
 */
export const STORE_ACTIONS = [
  "GetItem",
  "BatchGetItem",
  "Query",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
] as const;

/**
 * What the reports function may do: read (the spend ledger, the history, the account state), and put one
 * item, the audit entry of an access denial (service/access.ts), which every route writes; it updates and
 * deletes nothing.
 */
export const STORE_REPORT_ACTIONS = ["GetItem", "BatchGetItem", "Query", "PutItem"] as const;

/**
 * The use cases' AccountStore on the one DynamoDB table of table.ts, assembled from one adapter per job:
 * account state, reservations, polls and history. Every command goes through withThrottleRetries: a throttle
 * is retried with backoff inside the call, then raised as StoreThrottledError, never read as a refusal.
 */
export function createDynamoStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  throttleRetry: ThrottleRetryPolicy = THROTTLE_RETRY,
): AccountStore {
  const doc = withThrottleRetries(client, throttleRetry);
  const states = new DynamoAccountStateStore(doc, tableName);
  const reservations = new DynamoReservationStore(doc, tableName);
  const polls = new DynamoPollStore(doc, tableName, states);
  const history = new DynamoHistoryStore(doc, tableName);
  const owed = new DynamoOwedAlertsStore(doc, tableName);
  const webhooks = new DynamoWebhookLogStore(doc, tableName);
  const callbacks = new DynamoTaskCallbackStore(doc, tableName);
  const budgets = new DynamoBudgetStore(doc, tableName);
  const audit = new DynamoAuditLog(doc, tableName);
  const spend = new DynamoSpendLedger(doc, tableName);
  return {
    getAccountState: (accountId) => states.getAccountState(accountId),
    listAccountStates: (accountIds) => states.listAccountStates(accountIds),
    setPause: (accountId, pause, audit) => states.setPause(accountId, pause, audit),
    readHold: (reservationId) => reservations.readHold(reservationId),
    readKeyAnswer: (accountId, operation, scope, key) =>
      reservations.readKeyAnswer(accountId, operation, scope, key),
    applyWrites: (writes) => reservations.applyWrites(writes),
    getReservation: (reservationId, now) => reservations.getReservation(reservationId, now),
    listReservations: (accountId, query, now) => reservations.listReservations(accountId, query, now),
    oldestOpenHold: (accountId, now) => reservations.oldestOpenHold(accountId, now),
    correctCounters: (accountId, now, settledUpToMs) =>
      reservations.correctCounters(accountId, now, settledUpToMs),
    claimReading: (accountId, claim, now) => polls.claimReading(accountId, claim, now),
    recordSnapshot: (accountId, snapshot, rules) => polls.recordSnapshot(accountId, snapshot, rules),
    endReading: (accountId, reading) => polls.endReading(accountId, reading),
    putSnapshot: (accountId, tick, snapshot, retentionDays) =>
      history.putSnapshot(accountId, tick, snapshot, retentionDays),
    listSnapshots: (accountId, range) => history.listSnapshots(accountId, range),
    appendAlert: (alert, retentionDays) => history.appendAlert(alert, retentionDays),
    listAlerts: (accountId, limit) => history.listAlerts(accountId, limit),
    findAlert: (accountId, createdAt, alertType) => history.findAlert(accountId, createdAt, alertType),
    oweAlert: (accountId, alert) => owed.oweAlert(accountId, alert),
    settleOwedAlert: (accountId, alertId) => owed.settleOwedAlert(accountId, alertId),
    seenDelivery: (accountId, deliveryKeys) => webhooks.seenDelivery(accountId, deliveryKeys),
    recordDelivery: (entry, deliveryKeys, retentionDays) =>
      webhooks.recordDelivery(entry, deliveryKeys, retentionDays),
    listWebhookEvents: (accountId, limit) => webhooks.listWebhookEvents(accountId, limit),
    attachTaskToken: (reservationId, taskToken) => callbacks.attachTaskToken(reservationId, taskToken),
    appendAudit: (entry, retentionDays) => audit.appendAudit(entry, retentionDays),
    listAudit: (accountId, query) => audit.listAudit(accountId, query),
    listSpend: (accountId, range) => spend.listSpend(accountId, range),
    getBudget: (accountId, budgetId) => budgets.getBudget(accountId, budgetId),
    listBudgets: (accountId) => budgets.listBudgets(accountId),
    saveBudget: (budget, write, audit) => budgets.saveBudget(budget, write, audit),
    setBudgetPause: (accountId, budgetId, pause, audit) =>
      budgets.setBudgetPause(accountId, budgetId, pause, audit),
    setBudgetAlertState: (accountId, budgetId, state) =>
      budgets.setBudgetAlertState(accountId, budgetId, state),
    deleteBudget: (accountId, budgetId, expectedVersion, audit) =>
      budgets.deleteBudget(accountId, budgetId, expectedVersion, audit),
    recordTaskResult: (reservationId, result) => callbacks.recordTaskResult(reservationId, result),
    claimResultSend: (reservationId, taskToken) => callbacks.claimResultSend(reservationId, taskToken),
    unclaimResultSend: (reservationId, taskToken) => callbacks.unclaimResultSend(reservationId, taskToken),
  };
}
