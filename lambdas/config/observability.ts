/**
 * Names shared by the handlers that emit metrics and the CDK dashboard and alarms that read them, so the
 * two cannot drift apart.
 */
export const SERVICE_NAME = "quota-guard";
export const METRICS_NAMESPACE = "QuotaGuard";

export const METRIC = {
  /** Per account (dimension AccountId), in the balance's unit. */
  remaining: "RemainingBalance",
  available: "AvailableBalance",
  burnRatePerHour: "BurnRatePerHour",
  hoursToExhaustion: "HoursToExhaustion",
  pollFailures: "PollFailures",
  pollSuccesses: "PollSuccesses",
  alertsSent: "AlertsSent",
  alertsFailed: "AlertsFailed",
  /** API (dimension Decision = allow | deny | unknown). */
  checks: "Checks",
  reservationsDenied: "ReservationsDenied",
  /** Webhook deliveries refused as unsigned (a job's callback_url pointed at the guard; docs/webhooks.md). */
  unsignedWebhookDeliveries: "UnsignedWebhookDeliveries",
  /**
   * Dependency latency, in milliseconds, per call (dimensions Operation and Outcome; runtime/call-timings.ts):
   * a HeyGen request (`GET /v3/users/me`; success | client-error | throttled | server-error | no-answer) and
   * a DynamoDB command (`TransactWriteItems`; success | condition-failed | cancelled | throttled | error).
   */
  heygenCallDuration: "HeyGenCallDuration",
  dynamoDbCallDuration: "DynamoDBCallDuration",
} as const;

export const DIMENSION = {
  accountId: "AccountId",
  decision: "Decision",
  operation: "Operation",
  outcome: "Outcome",
} as const;
