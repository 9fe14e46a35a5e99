import { Duration } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from "#config/observability";

export interface QuotaGuardMonitoringProps {
  readonly accountIds: readonly string[];
  readonly poller: IFunction;
  readonly api: IFunction;
  readonly httpApi: HttpApi;
  readonly deadLetterQueue: IQueue;
  readonly opsTopic: ITopic;
}

const PERIOD = Duration.minutes(5);
const CHECK_DECISIONS = ["allow", "deny", "unknown"] as const;

/**
 * The dashboard (balances, burn, forecast, check decisions, API latency, errors, HeyGen and DynamoDB call
 * latency) and the alarms that page
 * the ops topic. Custom metrics carry Powertools' default `service` dimension next to their own.
 */
export class QuotaGuardMonitoring extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: QuotaGuardMonitoringProps) {
    super(scope, id);
    this.alarms = this.createAlarms(props);
    this.dashboard = new Dashboard(this, "Dashboard", {
      defaultInterval: Duration.days(7),
      widgets: [
        [new TextWidget({ markdown: "# HeyGen Quota Guard", width: 24, height: 1 })],
        [
          perAccountGraph("Remaining balance", METRIC.remaining, "Average", props.accountIds),
          perAccountGraph("Burn rate per hour", METRIC.burnRatePerHour, "Average", props.accountIds),
          perAccountGraph("Hours to exhaustion", METRIC.hoursToExhaustion, "Minimum", props.accountIds),
        ],
        [
          graph(
            "Checks by decision",
            CHECK_DECISIONS.map((decision) =>
              quotaGuardMetric(METRIC.checks, { [DIMENSION.decision]: decision }, "Sum", decision),
            ),
          ),
          graph("API latency", [
            props.httpApi.metricLatency({ statistic: "p50", period: PERIOD, label: "p50" }),
            props.httpApi.metricLatency({ statistic: "p99", period: PERIOD, label: "p99" }),
          ]),
          graph("Reservations denied", [quotaGuardMetric(METRIC.reservationsDenied, {}, "Sum", "denied")]),
        ],
        [
          graph("Errors", [
            props.poller.metricErrors({ period: PERIOD, label: "poller errors" }),
            props.api.metricErrors({ period: PERIOD, label: "API Lambda errors" }),
            props.httpApi.metricServerError({ period: PERIOD, label: "API 5xx" }),
            props.httpApi.metricClientError({ period: PERIOD, label: "API 4xx" }),
          ]),
          perAccountGraph("Failed polls", METRIC.pollFailures, "Sum", props.accountIds),
          graph("Alerts", [
            quotaGuardMetric(METRIC.alertsSent, {}, "Sum", "sent"),
            quotaGuardMetric(METRIC.alertsFailed, {}, "Sum", "failed"),
            props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              period: PERIOD,
              statistic: "Maximum",
              label: "dead letters",
            }),
          ]),
        ],
        [
          dependencyLatencyGraph("HeyGen call latency (ms, p99)", METRIC.heygenCallDuration),
          dependencyLatencyGraph("DynamoDB call latency (ms, p99)", METRIC.dynamoDbCallDuration),
        ],
      ],
    });
  }

  private createAlarms(props: QuotaGuardMonitoringProps): Alarm[] {
    const alarms = [
      new Alarm(this, "PollerErrors", {
        alarmDescription: "The balance poller failed after its retries; balances are going stale.",
        metric: props.poller.metricErrors({ period: PERIOD, statistic: "Sum" }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, "DeadLetters", {
        alarmDescription: "Scheduled polls were dropped into the dead-letter queue.",
        metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: PERIOD,
          statistic: "Maximum",
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, "Api5xx", {
        alarmDescription:
          "The API answered 5xx: a dependency (DynamoDB, HeyGen, Secrets Manager) is failing.",
        metric: props.httpApi.metricServerError({ period: PERIOD, statistic: "Sum" }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    const notifyOps = new SnsAction(props.opsTopic);
    for (const alarm of alarms) {
      alarm.addAlarmAction(notifyOps);
      alarm.addOkAction(notifyOps);
    }
    return alarms;
  }
}

function quotaGuardMetric(
  metricName: string,
  dimensions: Record<string, string>,
  statistic: string,
  label: string,
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME, ...dimensions },
    statistic,
    period: PERIOD,
    label,
  });
}

function perAccountGraph(
  title: string,
  metricName: string,
  statistic: string,
  accountIds: readonly string[],
): GraphWidget {
  return graph(
    title,
    accountIds.map((accountId) =>
      quotaGuardMetric(metricName, { [DIMENSION.accountId]: accountId }, statistic, accountId),
    ),
  );
}

/**
 * One line per operation and outcome of a dependency's call durations (runtime/call-timings.ts), found by a
 * SEARCH so that a new operation needs no change here; the dimension values are few by construction.
 */
function dependencyLatencyGraph(title: string, metricName: string): GraphWidget {
  const schema = `{${METRICS_NAMESPACE},service,${DIMENSION.operation},${DIMENSION.outcome}}`;
  return graph(title, [
    new MathExpression({
      expression: `SEARCH('${schema} MetricName="${metricName}"', 'p99', ${PERIOD.toSeconds()})`,
      usingMetrics: {},
      period: PERIOD,
      label: "",
    }),
  ]);
}

function graph(title: string, metrics: IMetric[]): GraphWidget {
  return new GraphWidget({ title, left: metrics, width: 8, height: 6 });
}
