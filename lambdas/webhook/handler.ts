import { createWebhookLambda } from "#runtime/lambda-http";

/** The webhook function's Lambda entry point, wired once per container (runtime/lambda-http.ts). */
export const handler = createWebhookLambda();
