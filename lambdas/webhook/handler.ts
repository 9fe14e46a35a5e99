import { createWebhookLambda } from "#runtime/lambda-handlers";

/** The webhook function's Lambda entry point, wired once per container (runtime/lambda-handlers.ts). */
export const handler = createWebhookLambda();
