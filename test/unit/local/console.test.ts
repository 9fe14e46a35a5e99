import { describe, expect, it } from "vitest";
import { humanLine, humanLog, notificationText } from "#local/console";

describe("the local stack's console", () => {
  it("writes log lines for a person: time, level, message, then key=value", () => {
    const lines: string[] = [];
    const log = humanLog({ write: (line) => lines.push(line), now: () => new Date("2026-12-02T14:05:09Z") });
    log.info("not shown below warn");
    log.warn("balance read failed", { accountId: "default", error: { code: "invalid_key" } });
    log.error("scheduled poll failed", { error: "TimeoutError: took too long" });
    expect(lines).toEqual([
      '14:05:09 WARN balance read failed accountId=default error="{\\"code\\":\\"invalid_key\\"}"',
      '14:05:09 ERROR scheduled poll failed error="TimeoutError: took too long"',
    ]);
    expect(lines.join("\n")).not.toMatch(/^\{/m);
  });

  it("names an Error by its name and message", () => {
    expect(humanLine(new Date(0), "error", "boom", { error: new RangeError("bad") })).toBe(
      '00:00:00 ERROR boom error="RangeError: bad"',
    );
  });

  it("prints a delivered alert's email text and its SMS text", () => {
    const text = notificationText({
      subject: "[Quota Guard] default: subject",
      message: JSON.stringify({ default: "d", email: "the email", sms: "the sms", https: "{}" }),
      attributes: { severity: "critical" },
    });
    expect(text).toBe(
      "=== SNS alert: [Quota Guard] default: subject [severity=critical]\n--- email:\nthe email\n--- SMS:\nthe sms\n===",
    );
  });
});
