import { EventBus, type IEventBus, Rule } from "aws-cdk-lib/aws-events";
import { Construct } from "constructs";
import type { AlertsConfig } from "#config/config";
import { ALERT_EVENT_DETAIL_TYPE, ALERT_EVENT_SOURCE } from "#notify/eventbridge-publisher";

/**
 * The EventBridge side of alerts (docs/alerts.md#eventbridge): the configured bus (`alerts.eventBridge`,
 * the account's default bus unless named), which every alert is also put on, and an example rule on it
 * matching the guard's alerts, created DISABLED and without a target: enable it and add a target (an API
 * destination such as PagerDuty's Events API, a queue, a function) to route alerts.
 */
export class AlertEvents extends Construct {
  readonly bus: IEventBus;
  readonly exampleRule: Rule;

  constructor(scope: Construct, id: string, props: { eventBridge: AlertsConfig["eventBridge"] }) {
    super(scope, id);
    this.bus = EventBus.fromEventBusName(this, "Bus", props.eventBridge.busName);
    this.exampleRule = new Rule(this, "ExampleRule", {
      eventBus: this.bus,
      enabled: false,
      description: "Example: HeyGen Quota Guard alerts (off; enable it and add a target to route them)",
      eventPattern: { source: [ALERT_EVENT_SOURCE], detailType: [ALERT_EVENT_DETAIL_TYPE] },
    });
  }
}
