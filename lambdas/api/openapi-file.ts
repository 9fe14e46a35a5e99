import { readPackagedJson } from "./packaged-file.ts";

/**
 * The OpenAPI document as the API serves it: a JSON file made at build time from the route table
 * (`npm run generate:openapi`, infra/openapi-file.ts; a test fails when it drifts from the table), so that the
 * Lambda carries neither zod-openapi nor the code that builds the document. Next to this module in the
 * repository (lambdas/api/openapi.json) and next to the bundle in a Lambda package (packaged-file.ts).
 */
export const OPENAPI_FILE_NAME = "openapi.json";

/** What GET /openapi.json answers (responses.ts, OpenApiDocument): an OpenAPI document, read as JSON. */
export interface OpenApiJson {
  openapi: string;
  info: { title: string; version: string };
  [member: string]: unknown;
}

/** Read once per container, on the first GET /openapi.json (not at import: cold starts do not pay for it). */
export function servedOpenApiDocument(): Promise<OpenApiJson> {
  return readPackagedJson<OpenApiJson>(OPENAPI_FILE_NAME);
}
