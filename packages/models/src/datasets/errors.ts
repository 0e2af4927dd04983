/**
 * User-facing dataset errors: what went wrong and how to fix it, never a bare stack trace.
 * `format()` mirrors ConfigError's layout so the CLI can print either the same way.
 */
export class DatasetError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}\n  hint: ${hint}` : message);
    this.name = 'DatasetError';
  }

  format(): string {
    return `error: ${this.message}`;
  }
}
