import { createApiLambda } from "#runtime/lambda-http";

/** The HTTP API's Lambda entry point, wired once per container (runtime/lambda-http.ts). */
export const handler = createApiLambda();
