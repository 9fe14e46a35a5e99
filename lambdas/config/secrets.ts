/**
 * The value the stack puts into a secret it creates. It is a constant so that a redeploy never overwrites a
 * key an operator has put; the Lambdas treat it (and an empty value) as "no key yet".
 */
export const SECRET_PLACEHOLDER = "NOT_SET: put the HeyGen API key with aws secretsmanager put-secret-value";

/** The HeyGen key held by a secret, or an error coded `invalid_key` (a failed poll, never a request). */
export function apiKeyFromSecret(value: unknown, secretName: string): string {
  const key = typeof value === "string" ? value.trim() : "";
  if (key === "" || key.startsWith("NOT_SET")) {
    throw Object.assign(
      new Error(`secret ${secretName} holds no HeyGen key yet (aws secretsmanager put-secret-value)`),
      { code: "invalid_key" },
    );
  }
  return key;
}
