// Typed domain errors. The web layer maps each `code` to an HTTP answer in one
// place; domain and service code never speak HTTP.

export type DomainErrorCode =
  | 'validation'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'unauthorized'
  | 'currency_mismatch'
  | 'missing_rate'
  | 'invalid_state'
  /** Not enough seats (or raffle tickets) left for the request. */
  | 'sold_out'
  /** Outside a sales window, or for something that cannot take it (a ticket of another event). */
  | 'unprocessable'
  /** Too many payment attempts from one source (card testing): wait, then try again. */
  | 'too_many';

export interface FieldIssue {
  /** Dotted path of the failing field, e.g. `amount` or `donor.email`. */
  readonly field: string;
  readonly message: string;
}

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly issues: readonly FieldIssue[];

  constructor(code: DomainErrorCode, message: string, issues: readonly FieldIssue[] = []) {
    // A domain error is an answer (sold out, not found), not a bug: no stack
    // trace, which would cost more than the rest of a refusal in a rush.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.code = code;
    this.issues = issues;
    this.name = 'DomainError';
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, issues: readonly FieldIssue[] = []) {
    super('validation', message, issues);
    this.name = 'ValidationError';
  }

  static field(field: string, message: string): ValidationError {
    return new ValidationError(message, [{ field, message }]);
  }
}
