/** Execution of SELECT plans: Odoo reads, the local engine, PostgreSQL text values. */
export { execute, describe, collect, type Execution, type ExecuteOptions, type TextRow } from './run.js';
export { readPages, countRecords, DEFAULT_PAGE_SIZE, type FetchOptions, type FetchClient, type OdooRecord } from './fetch.js';
export { runLocal, describeLocal, closeEngine, warmUpEngine, engineTypeLength, type LocalTable, type LocalResult } from './engine.js';
export {
  odooToText, float8Text, numericText, jsonbText, arrayText, byteaText, paramText, copyField, typeDeclaration, typeLength,
  TYPES_BY_OID,
} from './values.js';
