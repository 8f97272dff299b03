/**
 * The clients that update, delete, regenerate_key_pair and regenerate_did refuse to touch (the
 * admin UI's own). Ids compare case-insensitively: upstream's raw comparison lets the upper-case
 * id through.
 */
export class WriteProtection {
  readonly #ids: ReadonlySet<string>;

  constructor(ids: readonly string[]) {
    this.#ids = new Set(ids.map((id) => id.toLowerCase()));
  }

  covers(clientId: string): boolean {
    return this.#ids.has(clientId.toLowerCase());
  }

  /** The protected ids, lower-cased: what a check of those clients' own data reads. */
  get ids(): string[] {
    return [...this.#ids];
  }
}
