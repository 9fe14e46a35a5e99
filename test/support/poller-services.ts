import type { LocalStack } from "#local/stack";
import { sandboxKeyFor } from "#local/stack";
import { wirePoller } from "#runtime/wiring";
import type { Log, Services } from "#service/services";
import { sandboxOf } from "./e2e.ts";
import { noWait } from "./local-stack.ts";

export interface PollerWiring {
  log: Log;
  /** Default: the stack's sandbox. */
  heygenBaseUrl?: string;
  heygenTimeoutMs?: number;
  /** How the HeyGen client waits between retries; default: not at all (the attempts are unchanged). */
  heygenSleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

/**
 * Poller services over a running local stack's DynamoDB, SNS and sandbox, wired as the stack wires its own
 * poller (runtime/wiring.ts, publishing to the stack's topic), but with the test's log, HeyGen URL and timeout, so a
 * test can poll chosen accounts through pollAccounts instead of every account at once.
 */
export function pollerServicesFor(stack: LocalStack, wiring: PollerWiring): Services {
  const heygenBaseUrl = wiring.heygenBaseUrl ?? sandboxOf(stack).url;
  if (!heygenBaseUrl) throw new Error("heygenBaseUrl: the stack runs no sandbox; pass one");
  return wirePoller({
    config: stack.config,
    doc: stack.dynamo.doc,
    tableName: stack.tableName,
    heygenBaseUrl,
    apiKeyFor: (account) => stack.sandboxKeys[account.id] ?? sandboxKeyFor(account.id),
    alerts: { sns: stack.sns.sns, topicArn: stack.sns.topicArn },
    ...(wiring.heygenTimeoutMs ? { heygenTimeoutMs: wiring.heygenTimeoutMs } : {}),
    heygenSleep: wiring.heygenSleep ?? noWait,
    ...(wiring.now ? { now: wiring.now } : {}),
    log: wiring.log,
  }).services;
}
