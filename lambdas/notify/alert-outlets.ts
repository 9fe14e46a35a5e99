import type { Alert } from "#core/account";
import type { AlertOutlet } from "#core/alert-delivery";
import { type AlertPublisher, type MessageContext, OutletsRefusedError } from "#service/services";

/** One outlet of the fan-out: its name and the adapter that delivers to it. */
export interface NamedOutlet {
  name: AlertOutlet;
  publisher: AlertPublisher;
}

/**
 * The one publisher every alert goes through (runtime/wiring.ts): it hands the alert to each configured
 * outlet in order, SNS first. The first outlet refusing it is thrown as it is and the others are not tried,
 * so nothing was told anywhere (the alert is planned again). Once the first accepted it, every other outlet
 * is tried, and those refusing it are thrown together as OutletsRefusedError (they are owed it:
 * service/alert-delivery.ts). `only`: an owed alert put again, to those outlets alone; one no longer
 * configured owes nothing.
 */
export class AlertOutlets implements AlertPublisher {
  constructor(private readonly outlets: readonly NamedOutlet[]) {}

  /** The outlets' names, in the order they are tried. */
  get names(): AlertOutlet[] {
    return this.outlets.map((outlet) => outlet.name);
  }

  async publish(
    alert: Alert,
    context: MessageContext,
    only?: readonly AlertOutlet[],
  ): Promise<{ messageId: string }> {
    const targets = only ? this.outlets.filter((o) => only.includes(o.name)) : this.outlets;
    const [first, ...rest] = targets;
    if (!first) {
      if (only) return { messageId: "" };
      throw new Error("no alert outlet is configured");
    }
    const answer = await first.publisher.publish(alert, context);
    const refused: { name: AlertOutlet; reason: string }[] = [];
    for (const outlet of rest) {
      try {
        await outlet.publisher.publish(alert, context);
      } catch (error) {
        refused.push({ name: outlet.name, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    if (refused.length > 0) {
      throw new OutletsRefusedError(
        refused.map((r) => r.name),
        refused.map((r) => `${r.name}: ${r.reason}`).join("; "),
      );
    }
    return answer;
  }
}
