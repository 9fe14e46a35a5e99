import { createReportsLambda } from "#runtime/lambda-http";

/** The reports function's Lambda entry point, wired once per container (runtime/lambda-http.ts). */
export const handler = createReportsLambda();
