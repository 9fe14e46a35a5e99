import type { Alert } from "#core/account";

/**
 * An alert as an Amazon Q Developer in chat applications (formerly AWS Chatbot) custom notification: the
 * `https` text of the SNS message, which the service renders as a card in Slack or Microsoft Teams.
 * Shape: docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html ("Event schema"); `version` "1.0"
 * and `source` "custom" are what make the service treat the message as a custom notification.
 *
 * The card shows the same facts and advice as the email: message.ts hands over its sections and the
 * advice's steps, so an alert kind added there appears here without a change to this file.
 */
export interface CustomNotification {
  version: "1.0";
  source: "custom";
  /** One per alert: account, alert type and time. */
  id: string;
  content: {
    textType: "client-markdown";
    title: string;
    description: string;
    nextSteps: string[];
    keywords: string[];
  };
  metadata: {
    /** One thread per account, where the channel's preferences allow threads. */
    threadId: string;
    /** The text of the push notification on a phone. */
    summary: string;
    eventType: string;
    additionalContext: Record<string, string>;
  };
}

/** The facts the email prints, as message.ts composes them. */
export interface FactSection {
  title: string;
  lines: string[];
}

export interface CardFacts {
  /** What happened (the card's title), then the level change and any note, one paragraph each. */
  summary: string[];
  sections: FactSection[];
  /** What to do, from the same advice as the email's "What to do now". */
  steps: string[];
}

export function chatNotification(alert: Alert, facts: CardFacts): CustomNotification {
  const marker = alert.test ? "TEST - " : "";
  const title = `${marker}Quota Guard: ${facts.summary[0] ?? alert.subject}`;
  const description = [
    ...facts.summary.slice(1),
    ...facts.sections.map((s) => [`**${s.title}**`, ...s.lines.map((line) => `• ${line}`)].join("\n")),
  ]
    .filter((part) => part !== "")
    .join("\n\n");
  return {
    version: "1.0",
    source: "custom",
    id: `quota-guard-${alert.accountId}-${alert.alertType}-${alert.createdAt}`,
    content: {
      textType: "client-markdown",
      title,
      description,
      nextSteps: facts.steps,
      keywords: [alert.accountId, alert.severity, alert.alertType, ...(alert.test ? ["test"] : [])],
    },
    metadata: {
      threadId: `quota-guard-${alert.accountId}`,
      summary: `${marker}${alert.subject}`,
      eventType: alert.alertType,
      additionalContext: {
        accountId: alert.accountId,
        severity: alert.severity,
        level: alert.level,
        previousLevel: alert.previousLevel,
      },
    },
  };
}
