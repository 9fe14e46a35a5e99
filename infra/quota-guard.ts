import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { OPENAPI_FILE_NAME } from "#api/openapi-file";
import { PROBLEM_EXPLANATIONS_FILE_NAME } from "#api/problem-explanations";
import { REPORTS_FUNCTION_ROUTES } from "#api/route-list";
import type { QuotaGuardConfig } from "#config/config";
import { POLLER_TIMEOUT_SECONDS } from "#config/poller";
import { ENV } from "#runtime/environment";
import { STORE_ACTIONS, STORE_REPORT_ACTIONS } from "#store/dynamo-store";
import { TABLE } from "#store/table";
import { AccountSecrets } from "./account-secrets.ts";
import { AlertEvents } from "./alert-events.ts";
import { subscribeAlertRecipients } from "./alert-subscriptions.ts";
import { ChatChannels } from "./chat-channels.ts";
import { ConfigLayer } from "./config-layer.ts";
import { QuotaGuardMonitoring } from "./dashboard.ts";
import { createEncryptedTopic } from "./encrypted-topic.ts";
import { DEFAULT_WEBHOOK_SECRET_NAME, HeyGenWebhook } from "./heygen-webhook.ts";
import type { LogSettings } from "./log-settings.ts";
import { acknowledge } from "./nag.ts";
import { HANDLER_ENTRIES } from "./paths.ts";
import { type ApiThrottle, QuotaGuardApi } from "./quota-guard-api.ts";
import { QuotaGuardFunction } from "./quota-guard-function.ts";

export interface QuotaGuardProps {
  readonly config: QuotaGuardConfig;
  /** For the table, the created secrets and the log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** @default 25 requests per second, bursts of 50 */
  readonly apiThrottle?: ApiThrottle;
  /** Who receives the alarms (ops topic). @default config.alerts.emails */
  readonly opsEmails?: readonly string[];
  /** Handler entry files. @default lambdas/{poller,api,webhook,reports}/handler.ts */
  readonly entries?: {
    readonly poller: string;
    readonly api: string;
    readonly webhook?: string;
    readonly reports?: string;
  };
  /**
   * HeyGen's webhook endpoint secret: imported by this name, or (default) created with a placeholder.
   * Throttling of the webhook route. @default 10 requests per second, bursts of 20
   */
  readonly webhook?: { readonly importSecretName?: string; readonly throttle?: ApiThrottle };
}

/** What SNS needs from a publisher's role to encrypt a message with the topic's key. */
export const TOPIC_KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;

/**
 * HeyGen Quota Guard in one construct: the table, the alert and ops topics, one secret per account, the
 * scheduled poller with its dead-letter queue, the IAM-authorised HTTP API, the dashboard and the alarms.
 */
export class QuotaGuard extends Construct {
  readonly table: Table;
  readonly alertsTopic: Topic;
  readonly opsTopic: Topic;
  /** The bus every alert is also put on, and the example rule; absent with `alerts.eventBridge.enabled: false`. */
  readonly alertEvents?: AlertEvents;
  /** Slack and Microsoft Teams channels of `alerts.chat`, through Amazon Q Developer in chat applications. */
  readonly chat: ChatChannels;
  readonly secrets: AccountSecrets;
  readonly poller: QuotaGuardFunction;
  readonly apiHandler: QuotaGuardFunction;
  /** The reports over the spend ledger (`servedBy: "reports"`): its own timeout, a role that only reads (and audits denials). */
  readonly reportsHandler: QuotaGuardFunction;
  readonly api: QuotaGuardApi;
  readonly webhook: HeyGenWebhook;
  readonly deadLetterQueue: Queue;
  readonly monitoring: QuotaGuardMonitoring;
  /** Retention and removal of every log group, for constructs added next to this one. */
  readonly logs: LogSettings;

  constructor(scope: Construct, id: string, props: QuotaGuardProps) {
    super(scope, id);
    const { config } = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logs: LogSettings = { retention: props.logRetention ?? RetentionDays.ONE_MONTH, removalPolicy };
    this.logs = logs;
    const entries = props.entries ?? HANDLER_ENTRIES;

    this.table = this.createTable(removalPolicy);
    const topicKey = this.createTopicKey();
    this.alertsTopic = createEncryptedTopic(this, "AlertsTopic", topicKey, "HeyGen Quota Guard alerts");
    subscribeAlertRecipients(this.alertsTopic, config.alerts);
    this.chat = new ChatChannels(this, "Chat", { chat: config.alerts.chat, topic: this.alertsTopic });
    this.opsTopic = createEncryptedTopic(this, "OpsTopic", topicKey, "HeyGen Quota Guard operations");
    this.allowAlarmsToPublish(this.opsTopic);
    for (const email of props.opsEmails ?? config.alerts.emails) {
      this.opsTopic.addSubscription(new EmailSubscription(email));
    }
    this.secrets = new AccountSecrets(this, "AccountSecrets", config.accounts, removalPolicy);
    this.deadLetterQueue = this.createDeadLetterQueue();

    // The config travels as a file in a layer, not in the environment (4 KB, about 20 accounts).
    const configLayer = new ConfigLayer(this, "Config", config);
    if (config.alerts.eventBridge.enabled) {
      this.alertEvents = new AlertEvents(this, "AlertEvents", { eventBridge: config.alerts.eventBridge });
    }
    const environment = {
      [ENV.topicArn]: this.alertsTopic.topicArn,
      ...(this.alertEvents ? { [ENV.eventBusName]: this.alertEvents.bus.eventBusName } : {}),
    };
    this.poller = new QuotaGuardFunction(this, "Poller", {
      entry: entries.poller,
      description: "HeyGen Quota Guard balance poller",
      timeout: Duration.seconds(POLLER_TIMEOUT_SECONDS),
      memorySize: 256,
      logs,
      environment,
      onFailure: new SqsDestination(this.deadLetterQueue),
      maxEventAge: Duration.minutes(15),
    });
    this.grantReadingPath(this.poller, configLayer, topicKey);
    this.schedulePoller(config.schedule);

    this.apiHandler = new QuotaGuardFunction(this, "ApiHandler", {
      entry: entries.api,
      description: "HeyGen Quota Guard HTTP API",
      timeout: Duration.seconds(10),
      memorySize: 512,
      logs,
      environment,
      // GET /openapi.json serves the document made at build time (lambdas/api/openapi-file.ts), and
      // GET /problems/{type} the explanations (lambdas/api/problem-explanations.ts): files, not bundled code.
      packagedFiles: [`lambdas/api/${OPENAPI_FILE_NAME}`, `lambdas/api/${PROBLEM_EXPLANATIONS_FILE_NAME}`],
    });
    // A refresh is a reading like the schedule's (one reading path): it reads keys and publishes its alerts
    // (and the test alerts of POST .../test-alert).
    this.grantReadingPath(this.apiHandler, configLayer, topicKey);

    this.api = new QuotaGuardApi(this, "Api", {
      handler: this.apiHandler,
      throttle: props.apiThrottle ?? { rateLimit: 25, burstLimit: 50 },
      logs,
    });
    this.reportsHandler = this.createReportsHandler(
      entries.reports ?? HANDLER_ENTRIES.reports,
      environment,
      configLayer,
    );

    this.secrets.assertNotGranting(
      props.webhook?.importSecretName ?? DEFAULT_WEBHOOK_SECRET_NAME,
      "HeyGen's webhook secret",
    );
    this.webhook = new HeyGenWebhook(this, "HeyGenWebhook", {
      api: this.api,
      entry: entries.webhook ?? HANDLER_ENTRIES.webhook,
      environment,
      logs,
      removalPolicy,
      throttle: props.webhook?.throttle ?? { rateLimit: 10, burstLimit: 20 },
      ...(props.webhook?.importSecretName ? { importSecretName: props.webhook.importSecretName } : {}),
    });
    // It settles holds, and a credit failure's reading reads keys and publishes alerts (one reading path).
    this.grantReadingPath(this.webhook.handler, configLayer, topicKey);

    this.monitoring = new QuotaGuardMonitoring(this, "Monitoring", {
      accountIds: config.accounts.map((a) => a.id),
      poller: this.poller,
      api: this.apiHandler,
      httpApi: this.api.httpApi,
      deadLetterQueue: this.deadLetterQueue,
      opsTopic: this.opsTopic,
    });
    this.acknowledgeFindings();
  }

  /**
   * The reports function: a quarter of a busy account's ledger in one invocation (docs/spend.md), so it has
   * API Gateway's whole 29 s and more memory (a faster CPU) than the API. It reads the table and the config,
   * nothing else: no HeyGen key, no topic.
   */
  private createReportsHandler(
    entry: string,
    environment: Record<string, string>,
    configLayer: ConfigLayer,
  ): QuotaGuardFunction {
    const handler = new QuotaGuardFunction(this, "ReportsHandler", {
      entry,
      description: "HeyGen Quota Guard reports",
      timeout: Duration.seconds(29),
      memorySize: 1024,
      logs: this.logs,
      environment,
    });
    handler.useTable(this.table, STORE_REPORT_ACTIONS);
    configLayer.attachTo(handler);
    this.api.addFunctionRoutes("Reports", REPORTS_FUNCTION_ROUTES, handler);
    return handler;
  }

  /**
   * What every function of the one reading path needs, granted the same way to each (poller, API, webhook):
   * the table's actions, the config layer, every account's HeyGen key, publishing to the alerts topic with
   * its key, and putting events on exactly the alerts bus.
   */
  private grantReadingPath(fn: QuotaGuardFunction, configLayer: ConfigLayer, topicKey: Key): void {
    fn.useTable(this.table, STORE_ACTIONS);
    configLayer.attachTo(fn);
    this.secrets.grantRead(fn);
    fn.allow(["sns:Publish"], [this.alertsTopic.topicArn]);
    fn.allow(TOPIC_KEY_ACTIONS, [topicKey.keyArn]);
    if (this.alertEvents) fn.allow(["events:PutEvents"], [this.alertEvents.bus.eventBusArn]);
  }

  private createTable(removalPolicy: RemovalPolicy): Table {
    const table = new Table(this, "Table", {
      partitionKey: { name: TABLE.partitionKey.name, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey.name, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy,
      // A retained table is meant to survive; a destroyable one (dev stacks) must not block teardown.
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    });
    for (const index of Object.values(TABLE.indexes)) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      });
    }
    return table;
  }

  /**
   * One customer managed key for both topics: CloudWatch alarms cannot publish to a topic encrypted with the
   * AWS managed alias/aws/sns key, whose policy cannot be changed. It only protects messages in transit
   * through SNS, so nothing needs it after the stack is gone.
   */
  private createTopicKey(): Key {
    const key = new Key(this, "TopicKey", {
      description: "Encrypts HeyGen Quota Guard SNS topics",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:GenerateDataKey*", "kms:Decrypt"],
        resources: ["*"],
      }),
    );
    return key;
  }

  /** A topic policy replaces SNS's default one, so CloudWatch alarms of this account must be let in by name. */
  private allowAlarmsToPublish(topic: Topic): void {
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [topic.topicArn],
        conditions: {
          ArnLike: {
            "aws:SourceArn": `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
          },
          StringEquals: { "aws:SourceAccount": stack.account },
        },
      }),
    );
  }

  private createDeadLetterQueue(): Queue {
    return new Queue(this, "PollerDeadLetterQueue", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
  }

  /**
   * EventBridge retries a delivery it could not make (throttling) and then dead-letters it; Lambda retries a
   * poll that failed and then sends it to the same queue (the function's onFailure), so one alarm covers both.
   */
  private schedulePoller(schedule: string): Rule {
    return new Rule(this, "PollSchedule", {
      description: "Reads every HeyGen account's balance",
      schedule: Schedule.expression(schedule),
      targets: [
        new LambdaFunction(this.poller, {
          retryAttempts: 2,
          maxEventAge: Duration.minutes(15),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }

  private acknowledgeFindings(): void {
    acknowledge(
      this.deadLetterQueue,
      "AwsSolutions-SQS3",
      "This queue is itself the dead-letter queue of the poll schedule and of the poller's async invocations.",
    );
    for (const fn of [this.poller, this.apiHandler, this.webhook.handler, this.reportsHandler]) {
      acknowledge(
        fn.role ?? fn,
        "AwsSolutions-IAM5[Resource::*]",
        "Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.",
      );
    }
  }
}
