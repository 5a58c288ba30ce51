/**
 * Errors of the SQL layer, shaped like node-postgres' DatabaseError so that code written for
 * `pg` (and the wire server later) can read code, detail, hint and position the usual way.
 */
import { OdooError, OdooServerError, OdooTransportError } from '../odoo/errors.js';

export interface SqlErrorFields {
  /** SQLSTATE, e.g. 42P01 */
  code: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement text, as PostgreSQL reports it */
  position?: number;
  severity?: 'ERROR' | 'FATAL';
  cause?: unknown;
}

export class SqlError extends Error {
  readonly code: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly position?: string;
  readonly severity: 'ERROR' | 'FATAL';

  constructor(message: string, fields: SqlErrorFields) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'DatabaseError';
    this.code = fields.code;
    this.detail = fields.detail;
    this.hint = fields.hint;
    // node-postgres gives position as a string
    this.position = fields.position === undefined ? undefined : String(fields.position);
    this.severity = fields.severity ?? 'ERROR';
  }
}

/** The SQLSTATEs we raise, named as in PostgreSQL's errcodes.txt. */
export const SQLSTATE = {
  syntax_error: '42601',
  undefined_table: '42P01',
  undefined_column: '42703',
  undefined_function: '42883',
  ambiguous_column: '42702',
  datatype_mismatch: '42804',
  feature_not_supported: '0A000',
  insufficient_privilege: '42501',
  invalid_password: '28P01',
  invalid_authorization_specification: '28000',
  invalid_text_representation: '22P02',
  invalid_datetime_format: '22007',
  numeric_value_out_of_range: '22003',
  data_exception: '22000',
  division_by_zero: '22012',
  not_null_violation: '23502',
  foreign_key_violation: '23503',
  check_violation: '23514',
  unique_violation: '23505',
  read_only_sql_transaction: '25006',
  connection_exception: '08000',
  connection_failure: '08006',
  sqlclient_unable_to_establish_sqlconnection: '08001',
  query_canceled: '57014',
  protocol_violation: '08P01',
  invalid_parameter_value: '22023',
  undefined_parameter: '42P02',
  indeterminate_datatype: '42P18',
  invalid_catalog_name: '3D000',
  internal_error: 'XX000',
  string_data_right_truncation: '22001',
  null_value_not_allowed: '22004',
  datetime_field_overflow: '22008',
  cardinality_violation: '21000',
  generated_always: '428C9',
  duplicate_column: '42701',
  grouping_error: '42803',
  raise_exception: 'P0001',
  warning: '01000',
  config_file_error: 'F0000',
  invalid_object_definition: '42P17',
  duplicate_table: '42P07',
  wrong_object_type: '42809',
  dependent_objects_still_exist: '2BP01',
} as const;

/** Odoo and transport failures as SQL errors, Odoo's own message kept in `detail`. */
export function fromOdooError(err: unknown): SqlError {
  if (err instanceof SqlError) return err;
  if (err instanceof OdooTransportError) {
    const code = err.failure === 'timeout' ? SQLSTATE.query_canceled : err.failure === 'refused' || err.failure === 'dns' ? SQLSTATE.sqlclient_unable_to_establish_sqlconnection : SQLSTATE.connection_failure;
    return new SqlError(err.message, { code, cause: err });
  }
  if (err instanceof OdooServerError) {
    return new SqlError(err.odooMessage.split('\n')[0] ?? err.message, { code: serverErrorCode(err), detail: err.odooMessage, cause: err });
  }
  if (err instanceof OdooError) return new SqlError(err.message, { code: SQLSTATE.connection_exception, cause: err });
  return new SqlError(err instanceof Error ? err.message : String(err), { code: SQLSTATE.internal_error, cause: err });
}

/**
 * The SQLSTATE of an error Odoo reported. Beyond the exception class, the message tells what
 * PostgreSQL would have said: Odoo 17 turns NOT NULL and foreign key violations into
 * ValidationErrors with fixed texts, and a few PostgreSQL errors reach the client unwrapped.
 */
function serverErrorCode(err: OdooServerError): string {
  const msg = err.odooMessage;
  switch (err.kind) {
    case 'access':
      return SQLSTATE.insufficient_privilege;
    case 'auth':
      return SQLSTATE.invalid_password;
    case 'validation':
      if (/a mandatory field is not set/.test(msg)) return SQLSTATE.not_null_violation;
      if (/another model requires the record being deleted|violates foreign key constraint/.test(msg)) return SQLSTATE.foreign_key_violation;
      return SQLSTATE.check_violation;
    case 'missing':
      return SQLSTATE.foreign_key_violation;
    case 'value':
      // bad values for a field's type: selection keys, dates, numbers in strings
      if (/^Wrong value for |does not match format|unconverted data remains|invalid literal for int\(\)|could not convert string to float/.test(msg)) {
        return SQLSTATE.invalid_text_representation;
      }
      return SQLSTATE.invalid_parameter_value;
    case 'user':
      // a business rule refused the operation, as a RAISE EXCEPTION in a trigger would
      return SQLSTATE.raise_exception;
    case 'method':
      // unknown method, or arguments the method does not take
      return SQLSTATE.undefined_function;
    case 'database':
      return SQLSTATE.invalid_catalog_name;
    case 'session':
      return SQLSTATE.invalid_authorization_specification;
    default:
      break;
  }
  if (/InvalidTextRepresentation$/.test(err.odooName)) return SQLSTATE.invalid_text_representation;
  if (/NumericValueOutOfRange$/.test(err.odooName)) return SQLSTATE.numeric_value_out_of_range;
  if (/DatatypeMismatch$/.test(err.odooName)) return SQLSTATE.datatype_mismatch;
  if (/NotNullViolation$/.test(err.odooName)) return SQLSTATE.not_null_violation;
  if (/ForeignKeyViolation$/.test(err.odooName)) return SQLSTATE.foreign_key_violation;
  if (/UniqueViolation$/.test(err.odooName)) return SQLSTATE.unique_violation;
  if (/CheckViolation$/.test(err.odooName)) return SQLSTATE.check_violation;
  return SQLSTATE.data_exception;
}
