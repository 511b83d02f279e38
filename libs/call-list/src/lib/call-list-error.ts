export type CallListErrorCode =
  | 'NOT_FOUND'
  | 'UNREADABLE'
  | 'EMPTY'
  | 'ENCODING'
  | 'MISSING_COLUMNS'
  | 'DUPLICATE_COLUMNS'
  | 'MALFORMED'
  | 'UNKNOWN_ROW'
  | 'INVALID_OUTCOME'
  | 'CHANGED_ON_DISK'
  | 'CLOSED'
  | 'READ_ONLY';

export class CallListError extends Error {
  constructor(
    readonly code: CallListErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CallListError';
  }
}
