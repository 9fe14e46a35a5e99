import type { Router } from "@aws-lambda-powertools/event-handler/http";
import type { Services } from "#service/services";
import { waitForVideo } from "#service/task-callbacks";
import { receiveHeyGenDelivery, webhookSecretStatus } from "#service/webhooks";
import { readRawBody } from "./request.ts";
import { methodsAt } from "./route-list.ts";
import { ROUTES } from "./route-table.ts";
import { answer, serve } from "./serve.ts";

/**
 * The webhook function's routes (`servedBy: "webhook"`): HeyGen's deliveries and probe, the secret's status,
 * and `/wait`, because only this function may send task results.
 */
export function serveWebhookRoutes(app: Router, services: Services): void {
  serve(app, ROUTES.wait, async ({ path, body, caller }) =>
    answer(200, await waitForVideo(services, path.id, body.taskToken, caller)),
  );

  // Checked in this order, each refusal writing nothing: size (413), then in the use case the signature over
  // the raw body (401, no detail), JSON and shape (400 naming the field). A verified delivery answers 200
  // whatever it meant; only a failure a retry can cure (503) asks HeyGen to send it again.
  serve(app, ROUTES.heygenWebhook, async ({ req }) =>
    answer(
      200,
      await receiveHeyGenDelivery(services, await readRawBody(req), (name) => req.headers.get(name)),
    ),
  );

  serve(app, ROUTES.webhookStatus, async () => answer(200, await webhookSecretStatus(services)));

  // HeyGen probes a new endpoint with OPTIONS and a 1 s timeout (field case G5): answered from the route table
  // alone, so no store, secret or HeyGen is read, and nothing can make it slow or fail.
  const probeAllow = methodsAt(ROUTES.heygenWebhookProbe.path).join(", ");
  app.route(async () => new Response(null, { status: 204, headers: { allow: probeAllow } }), {
    method: ROUTES.heygenWebhookProbe.method,
    path: ROUTES.heygenWebhookProbe.path,
  });
}
