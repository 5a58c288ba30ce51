/**
 * The pg-compatible driver: `import { Client, Pool } from 'odoo-sql'` where code used `pg`.
 */
export { Client, type ClientConfig, type QueryConfig, type QueryArrayConfig, type QueryCallback, type StreamOptions } from './client.js';
export { Pool, type PoolConfig, type PoolClient } from './pool.js';
export { DEFAULT_TYPES as types, type FieldDef, type QueryResult, type QueryResultRow, type CustomTypesConfig, type TypeParser } from './result.js';
export { SqlError as DatabaseError, SQLSTATE } from '../src/sql/errors.js';
export { Cursor, withCursors, type CursorConfig, type CursorLike, type CursorCapableClient, type CursorCapablePool } from './cursor.js';
