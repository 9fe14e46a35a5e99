import * as z from "zod";

/**
 * The custom-notification event of Amazon Q Developer in chat applications (formerly AWS Chatbot), written
 * down here independently of the builder in lambdas/notify/chat-card.ts, from
 * docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html ("Event schema" and "Parameter details"):
 * `version` ("1.0"), `source` ("custom") and `content.description` are required; `textType` is
 * "client-markdown"; `nextSteps` and `keywords` are lists of strings; `metadata` is optional. Strict objects:
 * a key the service does not document is a defect, not an extension.
 */
export const CustomNotificationSchema = z.strictObject({
  version: z.literal("1.0"),
  source: z.literal("custom"),
  id: z.string().min(1).optional(),
  content: z.strictObject({
    textType: z.literal("client-markdown").optional(),
    title: z.string().min(1).optional(),
    description: z.string().min(1),
    nextSteps: z.array(z.string().min(1)).optional(),
    keywords: z.array(z.string().min(1)).optional(),
  }),
  metadata: z
    .strictObject({
      threadId: z.string().min(1).optional(),
      summary: z.string().min(1).optional(),
      eventType: z.string().min(1).optional(),
      relatedResources: z.array(z.string()).optional(),
      additionalContext: z.record(z.string(), z.string()).optional(),
      enableCustomActions: z.boolean().optional(),
    })
    .optional(),
});
