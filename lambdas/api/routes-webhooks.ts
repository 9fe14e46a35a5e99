import { HeyGenEvent } from "#core/heygen-events";
import * as z from "#core/zod";
import { described, named } from "#core/zod-meta";
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
        Signature: described(z.optional(z.string()), "heygenWebhook.headers.Signature"),
        "Heygen-Signature": described(z.optional(z.string()), "heygenWebhook.headers.Heygen-Signature"),
        "Heygen-Timestamp": described(z.optional(z.string()), "heygenWebhook.headers.Heygen-Timestamp"),
        "Heygen-Event-Id": described(z.optional(z.string()), "heygenWebhook.headers.Heygen-Event-Id"),
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
