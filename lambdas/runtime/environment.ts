import { TABLE } from "#store/table";

/**
 * The environment variables the stack sets and the Lambda entry points read: infra/ writes them from these
 * names and runtime/ reads them by the same names, so the two cannot drift apart. Secrets are never here:
 * the variables hold names (of the table, the topic, the secrets), never values.
 */
export const ENV = {
  /**
   * The path of the validated QuotaGuardConfig, a JSON file (secret names only, no keys) in the config layer
   * (infra/config-layer.ts, runtime/config-source.ts).
   */
  config: "QUOTA_GUARD_CONFIG_FILE",
  /** The alerts topic's ARN (every function publishes alerts: one reading path). */
  topicArn: "TOPIC_ARN",
  /** The EventBridge bus alerts are put on (config `alerts.eventBridge`); unset: none is put. */
  eventBusName: "EVENT_BUS_NAME",
  /** The Secrets Manager secret holding HeyGen's webhook endpoint secret (webhook function only). */
  webhookSecretName: "WEBHOOK_SECRET_NAME",
  /** The table's name (the table's own contract, store/table.ts). */
  tableName: TABLE.nameEnv,
  /** Where HeyGen is; unset means https://api.heygen.com (the local stack points it at the sandbox). */
  heygenBaseUrl: "HEYGEN_API_BASE_URL",
} as const;

/** The variable's value; throws naming it when the stack did not set it. */
export function requiredEnv(name: string, env: Record<string, string | undefined> = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set (the stack sets it)`);
  return value;
}
