import { RunError } from '../errors';

/** A user-facing sweep error: what went wrong and how to fix it (printed without a stack). */
export class SweepError extends RunError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'SweepError';
  }
}
