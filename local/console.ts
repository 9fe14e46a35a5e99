import type { Log } from "#service/services";
import type { RecordedEvent } from "./eventbridge-local.ts";
import type { DeliveredNotification } from "./sns-local.ts";

/**
 * What `npm start` prints for a person at a terminal: log lines and delivered alerts as text, where the
 * Lambdas' Powertools logger writes one JSON object a line for CloudWatch Logs Insights.
 */

const LEVELS = ["info", "warn", "error"] as const;
type Level = (typeof LEVELS)[number];

/**
 * A Log writing `HH:MM:SS WARN message key=value ...` lines to `write` (stderr by default), from `minLevel`
 * up (`warn` by default, as the Powertools logger the stack used before was set).
 */
export function humanLog(
  options: { minLevel?: Level; write?: (line: string) => void; now?: () => Date } = {},
): Log {
  const min = LEVELS.indexOf(options.minLevel ?? "warn");
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const at =
    (level: Level) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      if (LEVELS.indexOf(level) < min) return;
      write(humanLine(now(), level, message, Object.assign({}, ...extra)));
    };
  return { info: at("info"), warn: at("warn"), error: at("error") };
}

/** `14:05:09 WARN scheduled poll failed error="TimeoutError: ..."`; strings with spaces are quoted. */
export function humanLine(at: Date, level: Level, message: string, fields: Record<string, unknown>): string {
  const pairs = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  const clock = at.toISOString().slice(11, 19);
  return [clock, level.toUpperCase(), message, ...pairs].join(" ");
}

function fieldText(value: unknown): string {
  const text =
    typeof value === "string"
      ? value
      : value instanceof Error
        ? `${value.name}: ${value.message}`
        : JSON.stringify(value);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/**
 * A delivered alert as `npm start` prints it: the subject, the attributes subscribers filter on, the email
 * text (what an email subscriber reads) and the SMS text. The chat card and the `default` text go to other
 * subscribers in AWS and are not printed (the email holds the same facts).
 */
export function notificationText(n: DeliveredNotification): string {
  const attributes = Object.entries(n.attributes)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  let email = n.message;
  let sms: string | undefined;
  try {
    const structured = JSON.parse(n.message) as { email?: string; default?: string; sms?: string };
    email = structured.email ?? structured.default ?? n.message;
    sms = structured.sms;
  } catch {
    // a plain-text message: print it as it is
  }
  const smsLines = sms === undefined ? [] : ["--- SMS:", sms];
  return [
    `=== SNS alert: ${n.subject ?? "(no subject)"} [${attributes}]`,
    "--- email:",
    email,
    ...smsLines,
    "===",
  ].join("\n");
}

/** An event the local EventBridge accepted, as `npm start` prints it: its bus, source, detail-type and detail. */
export function eventText(event: RecordedEvent): string {
  return [
    `=== EventBridge event on ${event.eventBusName}: ${event.source} / ${event.detailType}`,
    JSON.stringify(event.detail, null, 2),
    "===",
  ].join("\n");
}
