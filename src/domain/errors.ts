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
  | 'unprocessable';

export interface FieldIssue {
  /** Dotted path of the failing field, e.g. `amount` or `donor.email`. */
  readonly field: string;
  readonly message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
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
