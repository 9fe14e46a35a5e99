import { SubscriptionFilter, type Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription, SmsSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { AlertsConfig } from "#config/config";
import { SEVERITIES, type Severity } from "#core/account";

export function severitiesAtLeast(minimum: Severity): Severity[] {
  return SEVERITIES.slice(SEVERITIES.indexOf(minimum));
}

/**
 * Email subscribers get every alert; SMS subscribers only those at or above `smsMinSeverity`, filtered by
 * SNS on the `severity` message attribute so that unwanted texts are never sent (nor paid for).
 */
export function subscribeAlertRecipients(topic: Topic, alerts: AlertsConfig): void {
  for (const email of alerts.emails) {
    topic.addSubscription(new EmailSubscription(email));
  }
  const severityFilter = {
    severity: SubscriptionFilter.stringFilter({ allowlist: severitiesAtLeast(alerts.smsMinSeverity) }),
  };
  for (const number of alerts.smsNumbers) {
    topic.addSubscription(new SmsSubscription(number, { filterPolicy: severityFilter }));
  }
}
