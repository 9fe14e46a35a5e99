import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";

export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/**
 * Reading stops here so a hostile client cannot make the local server buffer without bound; the API itself
 * rejects anything over its own (smaller) limit with a 413 problem.
 */
const MAX_READ_BYTES = 1024 * 1024;

/**
 * The request target on this host. The origin is prefixed rather than resolved against: resolving would
 * read `//x/y` as host `x` (and throw on `//a%3Fb`), where API Gateway sees the path `//x/y`.
 */
function requestUrl(target: string | undefined): URL {
  const path = target?.startsWith("/") ? target : `/${target ?? ""}`;
  return URL.canParse(`http://localhost${path}`)
    ? new URL(`http://localhost${path}`)
    : new URL("http://localhost/");
}

/** Who a request comes from, as API Gateway's IAM authorizer would say: the key and its principal's ARN. */
export interface LocalCaller {
  accessKey: string;
  userArn: string;
}

/**
 * Builds the API Gateway HTTP API (payload 2.0) event the deployed Lambda would receive; `caller`: who the
 * request comes from (a verified SigV4 key's principal, or the stack's fixed local one), given as API
 * Gateway's IAM authorizer gives its caller (`requestContext.authorizer.iam`).
 */
export function toHttpApiEvent(
  req: IncomingMessage,
  body: string | undefined,
  caller?: LocalCaller,
): APIGatewayProxyEventV2 {
  const url = requestUrl(req.url);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  // As API Gateway does (`https` there): the router builds its request URL, and problems their `type` URI, from it.
  headers["x-forwarded-proto"] ??= "http";
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date();
  const method = req.method ?? "GET";
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: "local",
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      ...(caller ? { authorizer: localIamAuthorizer(caller) } : {}),
      routeKey: "$default",
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body !== undefined ? { body, isBase64Encoded: false } : { isBase64Encoded: false }),
  };
}

/** What API Gateway's IAM authorizer says of a caller. */
function localIamAuthorizer({ accessKey, userArn }: LocalCaller) {
  return {
    iam: {
      accessKey,
      accountId: "000000000000",
      callerId: accessKey,
      principalOrgId: null,
      userArn,
      userId: accessKey,
    },
  };
}

function lambdaContext(requestId: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: "quota-guard-api-local",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:quota-guard-api-local",
    memoryLimitInMB: "512",
    awsRequestId: requestId,
    logGroupName: "/local/quota-guard-api",
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function readBody(req: IncomingMessage): Promise<string | undefined | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_READ_BYTES) {
        resolve("too-large");
        req.removeAllListeners("data");
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(size === 0 ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
  const body = result.body ? Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8") : undefined;
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
}

const problem = (status: number, title: string, detail: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { "content-type": "application/problem+json" },
  body: JSON.stringify({ type: "about:blank", title, status, detail }),
});

/**
 * Decides whether API Gateway would let a request through to the Lambda: `refused` answers 403 with that
 * message (as the IAM authorizer answers); otherwise it goes through, from `caller` (none: a route without
 * IAM, such as HeyGen's webhook).
 */
export type Authorizer = (
  req: IncomingMessage,
  body: string | undefined,
) => Promise<{ refused: string } | { caller?: LocalCaller }>;

/** Files served as they are on GET and HEAD, before the API sees the request. */
export interface StaticFiles {
  files: Map<string, { contentType: string; body: Buffer }>;
  headers: Record<string, string>;
}

function serveFile(req: IncomingMessage, res: ServerResponse, statics: StaticFiles | undefined): boolean {
  if (!statics || (req.method !== "GET" && req.method !== "HEAD")) return false;
  // The exact target, not the normalised URL: "/x/.." is the API's to answer, never the page.
  const file = statics.files.get((req.url ?? "").split("?")[0] ?? "");
  if (!file) return false;
  res.writeHead(200, {
    ...statics.headers,
    "content-type": file.contentType,
    "content-length": file.body.length,
  });
  res.end(req.method === "HEAD" ? undefined : file.body);
  return true;
}

/**
 * Requests the local stack answers for its own page, past the authorizer: the API request target to serve
 * (the page's prefix taken off), or undefined for a request that is checked as any other.
 */
export type PageReads = (method: string | undefined, target: string | undefined) => string | undefined;

/**
 * Serves an HTTP API Lambda handler on loopback, the way API Gateway would invoke it, plus the local stack's
 * own static files (the status page), served before any signature check as the page is no API, and the
 * page's reads of the API (`pageReads`), which skip the authorizer.
 */
export function serveHttpApi(
  handler: HttpApiHandler,
  options: {
    port: number;
    host?: string;
    statics?: StaticFiles;
    authorize?: Authorizer;
    pageReads?: PageReads;
    /** Who requests come from when no authorizer checks them (no `authorize`, or the page's reads). */
    unsignedCaller?: LocalCaller;
  },
): Promise<Server> {
  const server = createServer(async (req, res) => {
    try {
      if (serveFile(req, res, options.statics)) return;
      const body = await readBody(req);
      if (body === "too-large") {
        send(res, problem(413, "Payload too large", `The body is larger than ${MAX_READ_BYTES} bytes.`));
        return;
      }
      const pageTarget = options.pageReads?.(req.method, req.url);
      if (pageTarget !== undefined) req.url = pageTarget;
      const unsigned = { ...(options.unsignedCaller ? { caller: options.unsignedCaller } : {}) };
      const verdict =
        pageTarget === undefined && options.authorize ? await options.authorize(req, body) : unsigned;
      if ("refused" in verdict) {
        send(res, {
          statusCode: 403,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ message: verdict.refused }),
        });
        return;
      }
      const event = toHttpApiEvent(req, body, verdict.caller);
      const result = (await handler(event, lambdaContext(event.requestContext.requestId))) as
        | APIGatewayProxyStructuredResultV2
        | undefined;
      send(res, result ?? { statusCode: 204 });
    } catch (error) {
      // The handler should never throw; if it does, answer like API Gateway does for a failed integration.
      console.error("local API adapter: handler threw", error);
      send(res, problem(502, "Bad gateway", "The API handler failed; see the local stack's log."));
    }
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve(server));
  });
}
