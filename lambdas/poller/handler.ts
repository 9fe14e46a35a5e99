import { createPollerLambda } from "#runtime/lambda-poller";

/** The scheduled poller's Lambda entry point, wired once per container (runtime/lambda-poller.ts). */
export const handler = createPollerLambda();
