import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** docs/deploy.md is a checklist a newcomer can follow on a fresh AWS account (issue 23, finding 4). */

const DOC = readFileSync(new URL("../../../docs/deploy.md", import.meta.url), "utf8");
const CHECKLIST = DOC.slice(
  DOC.indexOf("## The checklist"),
  DOC.indexOf("\n## ", DOC.indexOf("## The checklist") + 1),
);
const STEPS = CHECKLIST.split(/\n(?=### \d+\. )/).slice(1);

describe("docs/deploy.md", () => {
  it("is no draft", () => {
    expect(DOC).not.toMatch(/draft/i);
  });

  it("walks through every step the issue names, in order", () => {
    const titles = STEPS.map((step) => step.split("\n")[0]);
    expect(titles).toEqual([
      "### 1. Credentials, region and CDK bootstrap",
      "### 2. Config",
      "### 3. Deploy",
      "### 4. Put the HeyGen API key",
      "### 5. Register the webhook endpoint with HeyGen and put its secret",
      "### 6. Confirm the email subscription",
      "### 7. Send a test alert",
      "### 8. Run `quota-guard doctor`",
      "### 9. A first signed check",
    ]);
  });

  it.each(STEPS.map((step) => [step.split("\n")[0], step]))(
    "%s: a command and what success looks like",
    (_, step) => {
      expect(step).toMatch(/```sh\n[^`]+```/);
      expect(step).toContain("Success:");
    },
  );

  it("names the commands the issue asks for", () => {
    for (const command of [
      "npx cdk bootstrap aws://",
      "npx cdk deploy",
      "aws secretsmanager put-secret-value --secret-id quota-guard/heygen/default",
      "POST https://api.heygen.com/v3/webhooks/endpoints",
      "heygen webhook endpoints create",
      "rotate-secret",
      "aws secretsmanager put-secret-value --secret-id quota-guard/heygen-webhook",
      "doctor --test-alert",
      "doctor --human",
    ]) {
      expect(CHECKLIST.replace(/\s+/g, " ")).toContain(command);
    }
  });
});
