/**
 * Errors of the wire-protocol layer, and the conversion of any error into the fields of an
 * ErrorResponse. They are SqlErrors, so the session layer handles them like every other error.
 */
import { SqlError, type SqlErrorFields } from '../../src/sql/errors.js';

/** SQLSTATEs of this layer that src/sql/errors.ts does not name (PostgreSQL's errcodes.txt). */
export const WIRE_SQLSTATE = {
  protocol_violation: '08P01',
  program_limit_exceeded: '54000',
  feature_not_supported: '0A000',
  invalid_binary_representation: '22P03',
  character_not_in_repertoire: '22021',
  invalid_text_representation: '22P02',
  datetime_field_overflow: '22008',
  invalid_time_zone_displacement_value: '22009',
  numeric_value_out_of_range: '22003',
  untranslatable_character: '22P05',
  datatype_mismatch: '42804',
  name_too_long: '42622',
  invalid_parameter_value: '22023',
  invalid_authorization_specification: '28000',
  invalid_password: '28P01',
  syntax_error: '42601',
  internal_error: 'XX000',
} as const;

export interface ProtocolViolationOptions {
  /** 08P01 unless told otherwise (54000 for a message that is too large, 0A000 for an unsupported protocol version). */
  code?: string;
  detail?: string;
  /**
   * FATAL (the default) when the connection cannot go on: framing is lost or the startup failed.
   * ERROR for a well-framed message whose content is bad: PostgreSQL reports it and carries on.
   */
  severity?: 'ERROR' | 'FATAL';
}

/**
 * A frontend message that breaks the protocol. Thrown by the decoder (always FATAL: the
 * connection must be closed after the ErrorResponse), or carried by a `Malformed` message
 * (ERROR: the message is skipped, as PostgreSQL does).
 */
export class ProtocolViolation extends SqlError {
  constructor(message: string, options: ProtocolViolationOptions = {}) {
    const fields: SqlErrorFields = { code: options.code ?? WIRE_SQLSTATE.protocol_violation, severity: options.severity ?? 'FATAL' };
    if (options.detail !== undefined) fields.detail = options.detail;
    super(message, fields);
    this.name = 'ProtocolViolation';
  }
}

/** Every field an ErrorResponse or NoticeResponse can carry (PostgreSQL's protocol-error-fields). */
export interface ErrorFields {
  /** S: ERROR, FATAL, PANIC, or for notices WARNING, NOTICE, DEBUG, INFO, LOG */
  severity: string;
  /** V: the severity, never localized; defaults to `severity` */
  severityNonLocalized?: string;
  /** C: SQLSTATE */
  code: string;
  /** M */
  message: string;
  /** D */
  detail?: string;
  /** H */
  hint?: string;
  /** P: 1-based character position in the query string */
  position?: number | string;
  /** p: position in an internally generated query */
  internalPosition?: number | string;
  /** q: the internally generated query */
  internalQuery?: string;
  /** W: context (call stack) */
  where?: string;
  /** s */
  schema?: string;
  /** t */
  table?: string;
  /** c */
  column?: string;
  /** d */
  dataType?: string;
  /** n */
  constraint?: string;
  /** F */
  file?: string;
  /** L */
  line?: number | string;
  /** R */
  routine?: string;
}

/**
 * The ErrorResponse fields for anything thrown: a SqlError keeps its code, detail, hint and
 * position; anything else is an internal error (XX000) whose message is kept.
 */
export function errorFieldsOf(err: unknown): ErrorFields {
  if (err instanceof SqlError) {
    const fields: ErrorFields = { severity: err.severity, code: err.code, message: err.message };
    if (err.detail !== undefined) fields.detail = err.detail;
    if (err.hint !== undefined) fields.hint = err.hint;
    if (err.position !== undefined) fields.position = err.position;
    return fields;
  }
  const message = err instanceof Error ? err.message : String(err);
  return { severity: 'ERROR', code: WIRE_SQLSTATE.internal_error, message };
}
