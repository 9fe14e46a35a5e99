import { problems } from "./problem.ts";
import { MAX_BODY_BYTES } from "./schemas.ts";

/**
 * Reads a JSON body: at most MAX_BODY_BYTES (413), `application/json` (415), parseable (400). An absent
 * body reads as `undefined` so routes whose body is optional can default it.
 */
export async function readJsonBody(req: Request): Promise<unknown> {
  const text = await readRawBody(req);
  if (text.trim() === "") return undefined;
  const contentType = req.headers.get("content-type") ?? "";
  if (!/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(contentType)) {
    throw problems.unsupportedMediaType(contentType || "(none)");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw problems.malformedJson((error as Error).message);
  }
}

/** The body as sent, at most MAX_BODY_BYTES (413). */
export async function readRawBody(req: Request): Promise<string> {
  const text = await req.text();
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) throw problems.tooLarge(MAX_BODY_BYTES);
  return text;
}

/**
 * Who a request came from when IAM did not say: never behind API Gateway's IAM auth, nor through the local
 * stack (which names its fixed local principal, local/sigv4.ts LOCAL_PRINCIPAL); only an event built by
 * hand. No `access` rule but `*` lets it in.
 */
export const UNIDENTIFIED_CALLER = "unidentified (no IAM identity: an unsigned local request)";

/**
 * The caller's IAM principal as API Gateway's IAM authorizer identified it (payload 2.0
 * `requestContext.authorizer.iam`): its ARN (`arn:aws:iam::123456789012:user/ci`, or an assumed role's
 * `arn:aws:sts::…:assumed-role/…/session`), else its caller id or access key; UNIDENTIFIED_CALLER without one.
 */
export function callerOf(event: unknown): string {
  const iam = (
    event as {
      requestContext?: { authorizer?: { iam?: { userArn?: string; callerId?: string; accessKey?: string } } };
    }
  )?.requestContext?.authorizer?.iam;
  return iam?.userArn || iam?.callerId || iam?.accessKey || UNIDENTIFIED_CALLER;
}

/** Query parameters as a plain object (the last value wins for repeated names). */
export function queryOf(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url).searchParams);
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export const CSV_TYPE = "text/csv; charset=utf-8";

/**
 * Whether an `Accept` header asks for CSV before JSON: `text/csv` with a quality above JSON's (`*\/*` and
 * `application/*` count as JSON, a little below a named type), or the same quality and listed first. No
 * header, or one that names neither, answers JSON.
 */
export function prefersCsv(accept: string | null): boolean {
  if (!accept) return false;
  const ranked = accept.split(",").map((part, index) => {
    const [type = "", ...params] = part.trim().toLowerCase().split(";");
    const q = Number(
      params
        .map((p) => p.trim())
        .find((p) => p.startsWith("q="))
        ?.slice(2) ?? 1,
    );
    const quality = Number.isFinite(q) ? q : 0;
    const wildcard = type === "*/*" || type === "application/*";
    return {
      type: wildcard ? "application/json" : type,
      quality: wildcard ? quality - 1e-6 : quality,
      index,
    };
  });
  const best = (type: string) =>
    ranked.filter((r) => r.type === type).sort((a, b) => b.quality - a.quality || a.index - b.index)[0];
  const csv = best("text/csv");
  const json = best("application/json");
  if (!csv || csv.quality <= 0) return false;
  return !json || csv.quality > json.quality || (csv.quality === json.quality && csv.index < json.index);
}
