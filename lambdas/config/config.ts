import { readFileSync } from "node:fs";
import { ACCOUNT_ID_PATTERN, SEVERITIES } from "#core/account";
import type { Unit } from "#core/balance";
import { DIGEST_EVERY } from "#core/digest";
import { JobType } from "#core/job-spec";
import { SpendPool } from "#core/spend-pool";
import * as z from "#core/zod";
import { documentIssues, InvalidDocumentError } from "#core/zod-issues";

/**
 * The one configuration shape (docs/configuration.md), shared by CDK synth, the Lambdas and the local stack.
 * Every field has a default; `parseConfig` fails with a message naming each invalid field.
 */

const positive = z.number().check(z.positive());
const nonNegative = z.number().check(z.nonnegative());

export const AccountConfig = z
  .strictObject({
    id: z.string().check(z.regex(ACCOUNT_ID_PATTERN, "must match [a-z0-9-]{1,40}")),
    /** Local stack: the environment variable that holds the HeyGen key. */
    apiKeyEnv: z._default(z.string().check(z.minLength(1)), "HEYGEN_API_KEY"),
    /** AWS: the Secrets Manager secret holding the key; defaults to `quota-guard/heygen/<id>`. */
    secretName: z.optional(z.string().check(z.minLength(1))),
    /** AWS: import an existing secret by name instead of creating an empty one. */
    importSecret: z._default(z.boolean(), false),
    apiVersion: z._default(z.enum(["auto", "v3", "v2"]), "auto"),
    /** Rate card id; null picks the default for the balance's unit (docs/estimates.md). */
    rateCard: z._default(z.nullable(z.string().check(z.minLength(1))), null),
    thresholds: z.prefault(
      z.strictObject({ warning: z._default(nonNegative, 50), critical: z._default(nonNegative, 10) }).check(
        z.refine((t) => t.critical <= t.warning, {
          message: "critical must not exceed warning",
          path: ["critical"],
        }),
      ),
      {},
    ),
    /** Balance never handed out by checks or reservations, in the account's unit. */
    reserveFloor: z._default(nonNegative, 0),
    /**
     * Which HeyGen pool the account's jobs draw on, and so which one is recorded, checked and held against
     * (lambdas/core/spend-pool.ts): `api_wallet` (the default) or `plan_credit` (v2 `details.plan_credit`, whole
     * credits; thresholds and reserveFloor are then in credits). Unset means `api_wallet`, and a low v3 wallet
     * reading then looks for a plan-credit pool on v2 and warns when it finds one (field case G8).
     */
    spendPool: z.optional(SpendPool),
    /**
     * Job types that draw on another pool than `spendPool`. A check or hold of such a job is refused (422 naming
     * its `type`), since its credit is not in the recorded balance: give it an account entry of its own.
     */
    spendPoolByJobType: z.optional(z.partialRecord(JobType, SpendPool)),
    /**
     * Render slots: at most this many holds open at once (HeyGen's pay-as-you-go plan runs 10 jobs at a time
     * and answers 429 beyond). Unset: no limit. A reserve past it answers 409 no-free-slot.
     */
    maxConcurrentJobs: z.optional(z.number().check(z.int()).check(z.gte(1))),
    /**
     * Who may read and spend the account: IAM principal ARN patterns (`*` matches any run). Unset: every
     * caller the API's IAM authorizer lets in. A caller outside it gets 403 forbidden (core/access.ts).
     */
    access: z.optional(
      z.strictObject({ principals: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)) }),
    ),
  })
  .check(
    z.superRefine((account, ctx) => {
      // v3 does not report plan credits at all (G8); only v2's details carry them.
      if (account.spendPool === "plan_credit" && account.apiVersion === "v3") {
        ctx.addIssue({
          code: "custom",
          path: ["spendPool"],
          message: 'plan_credit is read from v2 /v2/user/remaining_quota; set apiVersion to "auto" or "v2"',
        });
      }
    }),
  );
export type AccountConfig = z.infer<typeof AccountConfig> & { secretName: string };

const SmsSeverity = z.enum(SEVERITIES);

const uuid = z
  .string()
  .check(z.regex(/^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$/, "must be a GUID"));

/**
 * Chat channels that receive every alert as a card through Amazon Q Developer in chat applications; the
 * workspace or team must first be authorised once in its console (README, "Alerts in Slack or Teams").
 * Id formats are those of AWS::Chatbot::SlackChannelConfiguration and MicrosoftTeamsChannelConfiguration.
 */
const ChatConfig = z.strictObject({
  slack: z._default(
    z.array(
      z.strictObject({
        workspaceId: z
          .string()
          .check(z.regex(/^[0-9A-Z]{1,255}$/, "must be a Slack workspace (team) id such as T0123ABCD")),
        channelId: z
          .string()
          .check(z.regex(/^[A-Za-z0-9]{1,256}$/, "must be a Slack channel id such as C0123ABCD")),
      }),
    ),
    [],
  ),
  teams: z._default(
    z.array(
      z.strictObject({
        teamId: uuid,
        channelId: z
          .string()
          .check(z.maxLength(256))
          .check(
            z.regex(
              /^[A-Za-z0-9-_=+/.,]*%3[aA][A-Za-z0-9-_=+/.,]*%40[A-Za-z0-9-_=+/.,]*thread\.[A-Za-z0-9-_=+/.,]+$/,
              "must be the URL-encoded channel id from the channel's link, such as 19%3a...%40thread.tacv2",
            ),
          ),
        tenantId: uuid,
      }),
    ),
    [],
  ),
});

export const QuotaGuardConfig = z
  .strictObject({
    accounts: z.prefault(z.array(AccountConfig).check(z.minLength(1)), [{ id: "default" }]),
    schedule: z._default(
      z
        .string()
        .check(
          z.regex(
            /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/,
            "must be rate(...) or cron(...)",
          ),
        ),
      "rate(5 minutes)",
    ),
    alerts: z.prefault(
      z.strictObject({
        repeatHours: z.prefault(
          z.strictObject({ warning: z._default(positive, 24), critical: z._default(positive, 6) }),
          {},
        ),
        hysteresisPercent: z._default(nonNegative.check(z.lte(1000)), 10),
        degradedAfterFailures: z._default(z.number().check(z.int()).check(z.gte(1)), 3),
        /** 0 turns forecast alerts off. */
        forecastHorizonHours: z._default(nonNegative, 72),
        /**
         * unexplained_spend (docs/alerts.md#spend-alerts): HeyGen's consumption over the last 24 h beyond what the
         * guard committed, past max(`minimum`, `percentOfStartBalance` % of the balance at the window's start).
         */
        unexplainedSpend: z.prefault(
          z.strictObject({
            /** false turns unexplained_spend off (an account read by the monitor alone, with no holds). */
            enabled: z._default(z.boolean(), true),
            percentOfStartBalance: z._default(nonNegative.check(z.lte(100)), 5),
            /** In the account's unit. */
            minimum: z._default(nonNegative, 1),
          }),
          {},
        ),
        /**
         * estimate_drift: a card whose duration-priced commits over the last `windowHours` number at least
         * `minJobs` with actual / estimated above `ratio`.
         */
        estimateDrift: z.prefault(
          z.strictObject({
            /** false turns estimate_drift off. */
            enabled: z._default(z.boolean(), true),
            ratio: z._default(positive, 1.1),
            minJobs: z._default(z.number().check(z.int()).check(z.gte(1)), 20),
            windowHours: z._default(positive.check(z.lte(2160)), 24),
          }),
          {},
        ),
        emails: z._default(z.array(z.email()), []),
        smsNumbers: z._default(
          z.array(z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number"))),
          [],
        ),
        smsMinSeverity: z._default(SmsSeverity, "critical"),
        chat: z.prefault(ChatConfig, {}),
        /**
         * Every alert is also put on this EventBridge bus (docs/alerts.md#eventbridge): `busName` a bus of the
         * stack's account and region, `default` its default bus; `enabled: false` puts none.
         */
        eventBridge: z.prefault(
          z.strictObject({
            enabled: z._default(z.boolean(), true),
            busName: z._default(
              z.string().check(z.regex(/^[A-Za-z0-9._-]{1,256}$/, "must be an event bus name, not an ARN")),
              "default",
            ),
          }),
          {},
        ),
      }),
      {},
    ),
    checks: z.prefault(
      z.strictObject({
        maxBalanceAgeSeconds: z._default(positive, 900),
        whenUnknown: z._default(z.enum(["deny", "allow"]), "deny"),
        minRefreshIntervalSeconds: z._default(nonNegative, 10),
        /** An estimate made with a card retrieved longer ago than this carries a warning. */
        rateCardMaxAgeDays: z._default(positive, 180),
      }),
      {},
    ),
    reservations: z.prefault(
      z.strictObject({
        defaultTtlSeconds: z._default(z.number().check(z.int()).check(z.positive()), 3600),
        maxTtlSeconds: z._default(z.number().check(z.int()).check(z.positive()), 86400),
        /**
         * A committed hold keeps counting until HeyGen's balance can reflect the charge: until the first
         * snapshot observed at least this long after the commit (docs/reservations.md).
         */
        settleSeconds: z._default(z.number().check(z.int()).check(z.nonnegative()), 60),
      }),
      {},
    ),
    /**
     * The digest (docs/alerts.md#the-digest): a daily or weekly summary per account through the alert outlets,
     * sent by the first scheduled poll after `hourUtc` once its UTC day or ISO week has ended. Off by default.
     */
    digest: z.prefault(
      z.strictObject({
        every: z._default(z.enum(DIGEST_EVERY), "off"),
        hourUtc: z._default(z.number().check(z.int()).check(z.gte(0)).check(z.lte(23)), 8),
      }),
      {},
    ),
    /** Extra rate cards (same shape as the shipped JSON cards), validated when loaded. */
    rateCards: z._default(z.array(z.unknown()), []),
    retentionDays: z._default(z.number().check(z.int()).check(z.gte(1)).check(z.lte(3650)), 90),
    /**
     * Read by the local stack only (ignored in AWS): with LOCAL_SIGV4=1, one key pair per principal, whose
     * signed requests carry `arn` as their IAM principal (docs/local-stack.md).
     */
    local: z.optional(
      z.strictObject({
        principals: z
          .array(
            z.strictObject({
              name: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,40}$/, "must be 1-40 of A-Z a-z 0-9 _ -")),
              arn: z.string().check(z.regex(/^arn:aws:(iam|sts)::\d{12}:\S+$/, "must be an IAM or STS ARN")),
            }),
          )
          .check(z.minLength(1)),
      }),
    ),
  })
  .check(
    z.superRefine((config, ctx) => {
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
    }),
  );

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
