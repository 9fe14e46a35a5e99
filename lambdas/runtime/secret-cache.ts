import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/**
 * Secrets Manager's string secrets by name, each read at most once per `maxAgeSeconds` (seconds) per
 * container; a failed read is not kept, so the next call reads again. `client` makes the client on first use,
 * so the SDK package loads on the first read, not at import (this replaces Powertools' SecretsProvider, whose
 * module imports the SDK package at import). A value is never logged or measured here.
 */
export class SecretCache {
  readonly #kept = new Map<string, { value: Promise<string | undefined>; until: number }>();

  constructor(
    private readonly client: () => Promise<SecretsManagerClient>,
    private readonly maxAgeSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The secret's `SecretString` (undefined when it holds binary only). */
  get(name: string): Promise<string | undefined> {
    const kept = this.#kept.get(name);
    if (kept && kept.until > this.now()) return kept.value;
    const value = this.#read(name);
    this.#kept.set(name, { value, until: this.now() + this.maxAgeSeconds * 1000 });
    value.catch(() => {
      if (this.#kept.get(name)?.value === value) this.#kept.delete(name);
    });
    return value;
  }

  async #read(name: string): Promise<string | undefined> {
    const [{ GetSecretValueCommand }, client] = await Promise.all([
      import("@aws-sdk/client-secrets-manager"),
      this.client(),
    ]);
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: name }));
    return SecretString;
  }
}
