import type { Router } from "@aws-lambda-powertools/event-handler/http";
import type * as z from "#core/zod";
import { pointedIssues } from "#core/zod-issues";
import { parseOr400, problems } from "./problem.ts";
import { CSV_TYPE, callerOf, json, prefersCsv, queryOf, readJsonBody } from "./request.ts";
import type { Answer, BodySpec, RouteSpec } from "./route-spec.ts";

/** What a route's handler gets: the request's parts, each parsed by the schema its route declares. */
export interface RouteInput<R extends RouteSpec> {
  path: Parsed<R, "path">;
  query: Parsed<R, "query">;
  headers: Parsed<R, "headers">;
  body: R["request"] extends { body: { schema: infer S extends z.ZodMiniType; raw?: false } }
    ? z.output<S>
    : undefined;
  /** The JSON body as sent, before its schema's defaults (what an Idempotency-Key's fingerprint is taken of). */
  sentBody: unknown;
  /** The caller's IAM principal (request.ts callerOf), for what the guard records of who did what. */
  caller: string;
  req: Request;
}

type Parsed<R extends RouteSpec, Part extends "path" | "query" | "headers"> = R["request"] extends {
  [P in Part]: infer S extends z.ZodMiniType;
}
  ? z.output<S>
  : Record<string, never>;

/**
 * A handler's answer: one of its route's statuses, with a body its schema accepts (checked by tsc), and
 * `replayed` for an answer an Idempotency-Key repeats.
 */
export type RouteAnswer<R extends RouteSpec> = {
  [Status in keyof R["answers"] & number]: {
    status: Status;
    body: R["answers"][Status] extends { schema: infer S extends z.ZodMiniType } ? z.input<S> : never;
    replayed?: boolean;
  };
}[keyof R["answers"] & number];

/** A handler's answer: `status` and `body` as its route declares them; `replayed` adds Idempotent-Replayed. */
export function answer<Status extends 200 | 201, Body>(status: Status, body: Body, replayed = false) {
  return { status, body, replayed };
}

/** A 204: no body, no content type. */
export function noContent() {
  return { status: 204 as const, body: undefined as never, replayed: false };
}

/**
 * Registers `route` on the router: parses the path parameters, the headers, the query and the JSON body it
 * declares, in that order (a 400 problem naming each invalid field, under `/path`, `/headers`, `/query` or
 * the body's root), then answers what `handle` returns as JSON.
 */
export function serve<R extends RouteSpec>(
  app: Router,
  route: R,
  handle: (input: RouteInput<NoInfer<R>>) => Promise<RouteAnswer<NoInfer<R>>>,
): void {
  const request: RouteSpec["request"] = route.request;
  app.route(
    async ({ req, params, event }) => {
      const path = request?.path ? parseOr400(request.path, params, "path", "/path") : {};
      const headers = request?.headers ? parseHeaders(request.headers, req) : {};
      const query = request?.query ? parseOr400(request.query, queryOf(req), "query", "/query") : {};
      const bodySpec = request?.body?.raw ? undefined : request?.body;
      const sentBody = bodySpec ? ((await readJsonBody(req)) ?? {}) : undefined;
      const body = bodySpec ? parseBody(sentBody, bodySpec) : undefined;
      const input = { path, headers, query, body, sentBody, caller: callerOf(event), req } as RouteInput<R>;
      const answer = await handle(input);
      if (answer.status === 204) return new Response(null, { status: 204 });
      const spec: Answer | undefined = (route.answers as Partial<Record<number, Answer>>)[answer.status];
      const location = spec?.location as ((body: unknown) => string) | undefined;
      const csv = spec?.csv as ((body: unknown) => string) | undefined;
      if (csv && prefersCsv(req.headers.get("accept"))) {
        return new Response(csv(answer.body), {
          status: answer.status,
          headers: { "content-type": CSV_TYPE },
        });
      }
      return json(answer.status, answer.body, {
        ...(answer.replayed ? { "idempotent-replayed": "true" } : {}),
        ...(location ? { location: location(answer.body) } : {}),
      });
    },
    { method: route.method, path: routerPath(route.path) },
  );
}

/** `/v1/reservations/{id}` → `/v1/reservations/:id`, the router's syntax. */
function routerPath(path: string): `/${string}` {
  return path.replace(/\{([^}]+)\}/g, ":$1") as `/${string}`;
}

function parseHeaders(schema: z.ZodMiniObject, req: Request): unknown {
  const names = Object.keys(schema.shape);
  const sent = Object.fromEntries(
    names.flatMap((name) => {
      const value = req.headers.get(name);
      return value === null ? [] : [[name, value]];
    }),
  );
  const result = schema.safeParse(sent);
  if (result.success) return result.data;
  // Header names are case-insensitive; pointers name them as HTTP/2 sends them, lowercase.
  const errors = pointedIssues(result.error, "/headers").map((e) => ({
    ...e,
    pointer: e.pointer.toLowerCase(),
  }));
  throw problems.validation(errors, `${names.join(", ")} header`);
}

/** The body by its schema; an absent body reads as `{}`, so that a missing field is named, not the whole body. */
function parseBody(body: unknown, { schema, parse }: BodySpec) {
  const result = parse ? parse(body) : schema.safeParse(body);
  if (!result.success) throw problems.validation(pointedIssues(result.error), "request body");
  return result.data;
}
