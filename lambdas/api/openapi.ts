import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from "zod-openapi";
import { VERSION } from "#config/version";
import * as z from "#core/zod";
import { applyDescriptions, withMeta } from "#core/zod-meta";
import { answerSchemaOf } from "./answer-schemas.ts";
import { DESCRIPTIONS } from "./descriptions.ts";
import { PROBLEM_CONTENT_TYPE } from "./problem.ts";
import { PROBLEM_TYPES, type ProblemType } from "./problem-types.ts";
import { CSV_TYPE } from "./request.ts";
import { Problem } from "./responses.ts";
import { ROUTE_DOCS } from "./route-docs.ts";
import { COMMON_PROBLEMS, type RouteSpec } from "./route-spec.ts";
import { ROUTES } from "./route-table.ts";

type RouteName = keyof typeof ROUTES;

/**
 * The OpenAPI 3.1 document, derived by zod-openapi from the route table: the same zod schemas validate the
 * requests, type the answers and describe both here, so none can disagree with another. Build time only
 * (zod-openapi is a dev dependency): `npm run generate:openapi` writes it to lambdas/api/openapi.json, which
 * the API serves (openapi-file.ts), and the client is generated from it; a test keeps the file equal to this.
 */

const replayedHeader = z.object({
  "Idempotent-Replayed": withMeta(z.optional(z.literal("true")), {
    description: "This answer repeats the first request with the same Idempotency-Key.",
  }),
});

const locationHeader = z.object({
  Location: withMeta(z.string(), {
    description: "The path of what was created, e.g. `/v1/reservations/rsv_…`.",
  }),
});

function answerDescription(name: RouteName, status: string): string {
  const description = ROUTE_DOCS[name].answers[Number(status) as 200 | 201 | 204];
  if (description === undefined) throw new Error(`route-docs.ts has no description of ${name}'s ${status}`);
  return description;
}

function responsesOf(name: RouteName, route: RouteSpec): ZodOpenApiResponsesObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, answer] of Object.entries(route.answers)) {
    responses[status as `2${string}`] = {
      description: answerDescription(name, status),
      ...(answer.schema
        ? {
            content: {
              "application/json": { schema: answerSchemaOf(answer) },
              ...(answer.csv ? { [CSV_TYPE]: { schema: { type: "string" as const } } } : {}),
            },
          }
        : {}),
      ...(answer.replayable ? { headers: replayedHeader } : {}),
      ...(answer.location ? { headers: locationHeader } : {}),
    };
  }
  const byStatus = new Map<number, ProblemType[]>();
  for (const type of new Set([...route.problems, ...COMMON_PROBLEMS])) {
    const { status } = PROBLEM_TYPES[type];
    byStatus.set(status, [...(byStatus.get(status) ?? []), type]);
  }
  for (const [status, types] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status) as `4${string}`] = {
      description: `Problem types: ${types.join(", ")} (GET /problems/{type} explains each).`,
      content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } },
      ...(status === 503
        ? { headers: z.object({ "Retry-After": withMeta(z.string(), { description: "Seconds." }) }) }
        : {}),
    };
  }
  return responses;
}

function operationOf(name: RouteName, route: RouteSpec): ZodOpenApiOperationObject {
  const { request } = route;
  return {
    operationId: name,
    summary: ROUTE_DOCS[name].summary,
    ...(route.auth === "iam" ? {} : { security: [] }),
    ...(request?.path || request?.query || request?.headers
      ? {
          requestParams: {
            ...(request.path ? { path: request.path } : {}),
            ...(request.query ? { query: request.query } : {}),
            ...(request.headers ? { header: request.headers } : {}),
          },
        }
      : {}),
    ...(request?.body
      ? {
          requestBody: {
            required: request.body.required,
            content: { "application/json": { schema: request.body.schema } },
          },
        }
      : {}),
    responses: responsesOf(name, route),
  };
}

let cached: ReturnType<typeof createDocument> | undefined;

export function openApiDocument(): ReturnType<typeof createDocument> {
  if (cached) return cached;
  applyDescriptions(DESCRIPTIONS);
  const paths: ZodOpenApiPathsObject = {};
  for (const [name, route] of Object.entries(ROUTES) as [RouteName, RouteSpec][]) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operationOf(name, route) };
  }
  cached = createDocument({
    openapi: "3.1.0",
    info: {
      title: "HeyGen Quota Guard",
      version: VERSION,
      description:
        "Estimates, pre-generation checks and credit reservations against recorded HeyGen balances. " +
        "Every route but HeyGen's webhook is called with AWS SigV4 (IAM auth) in AWS; errors are RFC 9457 " +
        "problem+json whose `type` is this API's GET /problems/{type}.",
    },
    components: {
      securitySchemes: {
        sigv4: {
          type: "apiKey",
          name: "Authorization",
          in: "header",
          description: "AWS Signature Version 4 (execute-api), checked by API Gateway's IAM authorization.",
        },
      },
    },
    security: [{ sigv4: [] }],
    paths,
  });
  return cached;
}
