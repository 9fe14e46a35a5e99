import { createPollerLambda } from "#runtime/lambda-handlers";

/** The scheduled poller's Lambda entry point, wired once per container (runtime/lambda-handlers.ts). */
export const handler = createPollerLambda();
