/** 422 `errors`: each field name to its distinct messages, in the order they were found. */
export type FieldErrors = Record<string, string[]>;

export class FieldErrorCollector {
  readonly #messages = new Map<string, string[]>();

  add(field: string, message: string): void {
    const messages = this.#messages.get(field);
    if (!messages) this.#messages.set(field, [message]);
    else if (!messages.includes(message)) messages.push(message);
  }

  has(field: string): boolean {
    return this.#messages.has(field);
  }

  get isEmpty(): boolean {
    return this.#messages.size === 0;
  }

  toJSON(): FieldErrors {
    return Object.fromEntries(this.#messages);
  }
}
