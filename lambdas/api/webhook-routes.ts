import type { Router } from "@aws-lambda-powertools/event-handler/http";
import { HeyGenEvent } from "#core/heygen-events";
import { verifyHeyGenSignature, webhookSecretsOf } from "#core/webhook-signature";
import { resolveAccount } from "#service/accounts";
import type { Services } from "#service/services";
import { handleHeyGenEvent } from "#service/webhooks";
import { fieldErrors, parseOr400, problems } from "./problem.ts";
import { json, queryOf } from "./request.ts";
import { HEYGEN_WEBHOOK_ROUTE } from "./route-list.ts";
import { EventsQuery, MAX_BODY_BYTES } from "./schemas.ts";

/**
 * `POST /v1/webhooks/heygen` and the webhook log. A delivery is checked in this order, each refusal writing
 * nothing: size (413), signature over the raw body (401, no detail), JSON and shape (400 naming the field).
 * A verified delivery answers 200 whatever it meant (an ignored type, an unknown callback_id, a repeat);
 * only a failure a retry can cure (the store unavailable: 503) asks HeyGen to send it again.
 */
export function addWebhookRoutes(app: Router, services: Services): void {
  app.post(HEYGEN_WEBHOOK_ROUTE.path, async ({ req }) => {
    const raw = await req.text();
    if (Buffer.byteLength(raw, "utf8") > MAX_BODY_BYTES) throw problems.tooLarge(MAX_BODY_BYTES);
    const secrets = webhookSecretsOf(await services.webhookSecret?.());
    const header = (name: string) => req.headers.get(name);
    if (!secrets.some((secret) => verifyHeyGenSignature(raw, header, secret, services.now()))) {
      throw problems.unauthorized();
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (error) {
      throw problems.malformedJson((error as Error).message);
    }
    const parsed = HeyGenEvent.safeParse(body);
    if (!parsed.success) throw problems.validation(fieldErrors(parsed.error), "webhook event");
    const { entry, duplicate } = await handleHeyGenEvent(services, parsed.data, raw);
    return json(200, { received: true, duplicate, ...entry });
  });

  app.get("/v1/accounts/:id/events", async ({ params, req }) => {
    const account = resolveAccount(services, params.id ?? "", "/path/id");
    const query = parseOr400(EventsQuery, queryOf(req), "query", "/query");
    return json(200, {
      accountId: account.id,
      events: await services.store.listWebhookEvents(account.id, query.limit),
    });
  });
}
