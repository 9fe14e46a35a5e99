import { createApiLambda } from "#runtime/lambda-handlers";

/** The HTTP API's Lambda entry point, wired once per container (runtime/lambda-handlers.ts). */
export const handler = createApiLambda();
