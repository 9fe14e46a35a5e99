import { HeyGenEvent } from "#core/heygen-events";
import * as z from "#core/zod";
import { named, withMeta } from "#core/zod-meta";
import { answer, type RouteSpec } from "./route-spec.ts";

/** HeyGen's webhook: deliveries, the secret's status and HeyGen's OPTIONS probe (docs/webhooks.md). */
export const WEBHOOK_ROUTES = {
  heygenWebhook: {
    method: "POST",
    path: "/v1/webhooks/heygen",
    auth: "heygen-signature",
    servedBy: "webhook",
    request: {
      headers: z.object({
        Signature: withMeta(z.optional(z.string()), {
          description:
            "Hex HMAC-SHA256 of the raw body with the endpoint secret (any case, optional `sha256=`).",
        }),
        "Heygen-Signature": withMeta(z.optional(z.string()), {
          description:
            'HeyGen v3: hex HMAC-SHA256 of the raw body (or, the older form, of `Heygen-Timestamp + "." + ' +
            "body`); needs Heygen-Timestamp.",
        }),
        "Heygen-Timestamp": withMeta(z.optional(z.string()), {
          description: "Unix seconds; Heygen-Signature is accepted within 5 minutes of it.",
        }),
        "Heygen-Event-Id": withMeta(z.optional(z.string()), {
          description:
            "The delivery's id (HeyGen repeats it on a retry): a repeat is answered duplicate: true.",
        }),
      }),
      body: { schema: named(HeyGenEvent, "HeyGenEvent"), required: true, raw: true },
    },
    answers: {
      200: {
        schema: answer("WebhookReceipt"),
      },
    },
    problems: [
      "validation-error",
      "malformed-json",
      "unauthorized",
      "unsigned-delivery",
      "payload-too-large",
    ],
  },
  webhookStatus: {
    method: "GET",
    path: "/v1/webhooks/heygen/status",
    auth: "iam",
    servedBy: "webhook",
    answers: { 200: { schema: answer("WebhookStatus") } },
    problems: [],
  },
  heygenWebhookProbe: {
    method: "OPTIONS",
    path: "/v1/webhooks/heygen",
    auth: "none",
    servedBy: "webhook",
    answers: { 204: {} },
    problems: [],
  },
} as const satisfies Record<string, RouteSpec>;
