import { readFileSync } from "node:fs";
import * as z from "zod";
import { ACCOUNT_ID_PATTERN, SEVERITIES } from "#core/account";
import type { Unit } from "#core/balance";
import { JobType } from "#core/job-spec";
import { SpendPool } from "#core/spend-pool";
import { documentIssues, InvalidDocumentError } from "#core/zod-issues";

/**
 * The one configuration shape (docs/configuration.md), shared by CDK synth, the Lambdas and the local stack.
 * Every field has a default; `parseConfig` fails with a message naming each invalid field.
 */

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().nonnegative();

export const AccountConfig = z
  .strictObject({
    id: z.string().regex(ACCOUNT_ID_PATTERN, "must match [a-z0-9-]{1,40}"),
    /** Local stack: the environment variable that holds the HeyGen key. */
    apiKeyEnv: z.string().min(1).default("HEYGEN_API_KEY"),
    /** AWS: the Secrets Manager secret holding the key; defaults to `quota-guard/heygen/<id>`. */
    secretName: z.string().min(1).optional(),
    /** AWS: import an existing secret by name instead of creating an empty one. */
    importSecret: z.boolean().default(false),
    apiVersion: z.enum(["auto", "v3", "v2"]).default("auto"),
    /** Rate card id; null picks the default for the balance's unit (docs/estimates.md). */
    rateCard: z.string().min(1).nullable().default(null),
    thresholds: z
      .strictObject({ warning: nonNegative.default(50), critical: nonNegative.default(10) })
      .refine((t) => t.critical <= t.warning, {
        message: "critical must not exceed warning",
        path: ["critical"],
      })
      .prefault({}),
    /** Balance never handed out by checks or reservations, in the account's unit. */
    reserveFloor: nonNegative.default(0),
    /**
     * Which HeyGen pool the account's jobs draw on, and so which one is recorded, checked and held against
     * (lambdas/core/spend-pool.ts): `api_wallet` (the default) or `plan_credit` (v2 `details.plan_credit`, whole
     * credits; thresholds and reserveFloor are then in credits). Unset means `api_wallet`, and a low v3 wallet
     * reading then looks for a plan-credit pool on v2 and warns when it finds one (field case G8).
     */
    spendPool: SpendPool.optional(),
    /**
     * Job types that draw on another pool than `spendPool`. A check or hold of such a job is refused (422 naming
     * its `type`), since its credit is not in the recorded balance: give it an account entry of its own.
     */
    spendPoolByJobType: z.partialRecord(JobType, SpendPool).optional(),
  })
  .superRefine((account, ctx) => {
    // v3 does not report plan credits at all (G8); only v2's details carry them.
    if (account.spendPool === "plan_credit" && account.apiVersion === "v3") {
      ctx.addIssue({
        code: "custom",
        path: ["spendPool"],
        message: 'plan_credit is read from v2 /v2/user/remaining_quota; set apiVersion to "auto" or "v2"',
      });
    }
  });
export type AccountConfig = z.infer<typeof AccountConfig> & { secretName: string };

const SmsSeverity = z.enum(SEVERITIES);

const uuid = z.string().regex(/^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$/, "must be a GUID");

/**
 * Chat channels that receive every alert as a card through Amazon Q Developer in chat applications; the
 * workspace or team must first be authorised once in its console (README, "Alerts in Slack or Teams").
 * Id formats are those of AWS::Chatbot::SlackChannelConfiguration and MicrosoftTeamsChannelConfiguration.
 */
const ChatConfig = z.strictObject({
  slack: z
    .array(
      z.strictObject({
        workspaceId: z
          .string()
          .regex(/^[0-9A-Z]{1,255}$/, "must be a Slack workspace (team) id such as T0123ABCD"),
        channelId: z.string().regex(/^[A-Za-z0-9]{1,256}$/, "must be a Slack channel id such as C0123ABCD"),
      }),
    )
    .default([]),
  teams: z
    .array(
      z.strictObject({
        teamId: uuid,
        channelId: z
          .string()
          .max(256)
          .regex(
            /^[A-Za-z0-9-_=+/.,]*%3[aA][A-Za-z0-9-_=+/.,]*%40[A-Za-z0-9-_=+/.,]*thread\.[A-Za-z0-9-_=+/.,]+$/,
            "must be the URL-encoded channel id from the channel's link, such as 19%3a...%40thread.tacv2",
          ),
        tenantId: uuid,
      }),
    )
    .default([]),
});

export const QuotaGuardConfig = z
  .strictObject({
    accounts: z
      .array(AccountConfig)
      .min(1)
      .prefault([{ id: "default" }]),
    schedule: z
      .string()
      .regex(
        /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/,
        "must be rate(...) or cron(...)",
      )
      .default("rate(5 minutes)"),
    alerts: z
      .strictObject({
        repeatHours: z
          .strictObject({ warning: positive.default(24), critical: positive.default(6) })
          .prefault({}),
        hysteresisPercent: nonNegative.max(1000).default(10),
        degradedAfterFailures: z.number().int().min(1).default(3),
        /** 0 turns forecast alerts off. */
        forecastHorizonHours: nonNegative.default(72),
        emails: z.array(z.email()).default([]),
        smsNumbers: z.array(z.string().regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number")).default([]),
        smsMinSeverity: SmsSeverity.default("critical"),
        chat: ChatConfig.prefault({}),
      })
      .prefault({}),
    checks: z
      .strictObject({
        maxBalanceAgeSeconds: positive.default(900),
        whenUnknown: z.enum(["deny", "allow"]).default("deny"),
        minRefreshIntervalSeconds: nonNegative.default(10),
        /** An estimate made with a card retrieved longer ago than this carries a warning. */
        rateCardMaxAgeDays: positive.default(180),
      })
      .prefault({}),
    reservations: z
      .strictObject({
        defaultTtlSeconds: z.number().int().positive().default(3600),
        maxTtlSeconds: z.number().int().positive().default(86400),
        /**
         * A committed hold keeps counting until HeyGen's balance can reflect the charge: until the first
         * snapshot observed at least this long after the commit (docs/reservations.md).
         */
        settleSeconds: z.number().int().nonnegative().default(60),
      })
      .prefault({}),
    /** Extra rate cards (same shape as the shipped JSON cards), validated when loaded. */
    rateCards: z.array(z.unknown()).default([]),
    retentionDays: z.number().int().min(1).max(3650).default(90),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.accounts.forEach((account, index) => {
      if (seen.has(account.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["accounts", index, "id"],
          message: `duplicate account id "${account.id}"`,
        });
      }
      seen.add(account.id);
    });
    if (config.reservations.defaultTtlSeconds > config.reservations.maxTtlSeconds) {
      ctx.addIssue({
        code: "custom",
        path: ["reservations", "defaultTtlSeconds"],
        message: "must not exceed reservations.maxTtlSeconds",
      });
    }
  });

export type QuotaGuardConfig = Omit<z.infer<typeof QuotaGuardConfig>, "accounts"> & {
  accounts: AccountConfig[];
};
export type AlertsConfig = QuotaGuardConfig["alerts"];
export type { Unit };

/** An invalid config; the message names every invalid field (dotted paths). */
export class ConfigError extends InvalidDocumentError {
  override readonly name = "ConfigError";
  constructor(source: string, issues: { path: string; message: string }[]) {
    super("Quota Guard config", source, issues);
  }
}

/** Validates a parsed config object; throws ConfigError naming every invalid field. */
export function parseConfig(input: unknown, source = "config"): QuotaGuardConfig {
  const result = QuotaGuardConfig.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(source, documentIssues(result.error));
  const config = result.data;
  return {
    ...config,
    accounts: config.accounts.map((a) => ({
      ...a,
      secretName: a.secretName ?? `quota-guard/heygen/${a.id}`,
    })),
  };
}

/** Reads and validates a JSON config file. */
export function loadConfigFile(path: string): QuotaGuardConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(path, [{ path: "(file)", message: `cannot read: ${(error as Error).message}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, [{ path: "(file)", message: `not valid JSON: ${(error as Error).message}` }]);
  }
  return parseConfig(json, path);
}
