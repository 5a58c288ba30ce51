/**
 * The built-in PostgreSQL types this server encodes, with the pg_type facts the wire needs
 * (checked against PostgreSQL 15's pg_type): OID, typlen for RowDescription, array type, element
 * type, and the name format_type() prints in error messages.
 */

export interface PgTypeInfo {
  oid: number;
  /** pg_type.typname */
  typname: string;
  /** format_type() without typmod, as PostgreSQL's error messages print it */
  displayName: string;
  /** pg_type.typlen: a size in bytes, -1 for varlena */
  typlen: number;
  /** OID of the array type of this type (0 if none) */
  arrayOid: number;
  /** OID of the element type when this is an array (or int2vector/oidvector), else 0 */
  elemOid: number;
}

/** OIDs by type name. */
export const PG_OID = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int2vector: 22,
  int4: 23,
  text: 25,
  oid: 26,
  oidvector: 30,
  json: 114,
  float4: 700,
  float8: 701,
  unknown: 705,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  timetz: 1266,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

/** [typname, oid, typlen, array oid, display name] of the scalar types. */
const SCALARS: [string, number, number, number, string][] = [
  ['bool', 16, 1, 1000, 'boolean'],
  ['bytea', 17, -1, 1001, 'bytea'],
  ['char', 18, 1, 1002, '"char"'],
  ['name', 19, 64, 1003, 'name'],
  ['int8', 20, 8, 1016, 'bigint'],
  ['int2', 21, 2, 1005, 'smallint'],
  ['int4', 23, 4, 1007, 'integer'],
  ['text', 25, -1, 1009, 'text'],
  ['oid', 26, 4, 1028, 'oid'],
  ['json', 114, -1, 199, 'json'],
  ['float4', 700, 4, 1021, 'real'],
  ['float8', 701, 8, 1022, 'double precision'],
  ['unknown', 705, -2, 0, 'unknown'],
  ['bpchar', 1042, -1, 1014, 'character'],
  ['varchar', 1043, -1, 1015, 'character varying'],
  ['date', 1082, 4, 1182, 'date'],
  ['time', 1083, 8, 1183, 'time without time zone'],
  ['timestamp', 1114, 8, 1115, 'timestamp without time zone'],
  ['timestamptz', 1184, 8, 1185, 'timestamp with time zone'],
  ['interval', 1186, 16, 1187, 'interval'],
  ['timetz', 1266, 12, 1270, 'time with time zone'],
  ['numeric', 1700, -1, 1231, 'numeric'],
  ['uuid', 2950, 16, 2951, 'uuid'],
  ['jsonb', 3802, -1, 3807, 'jsonb'],
];

const BY_OID = new Map<number, PgTypeInfo>();
for (const [typname, oid, typlen, arrayOid, displayName] of SCALARS) {
  BY_OID.set(oid, { oid, typname, displayName, typlen, arrayOid, elemOid: 0 });
  if (arrayOid !== 0) {
    BY_OID.set(arrayOid, { oid: arrayOid, typname: '_' + typname, displayName: displayName + '[]', typlen: -1, arrayOid: 0, elemOid: oid });
  }
}
// The two vector types of the catalogs (pg_index.indkey, pg_proc.proargtypes): arrays with lower bound 0.
BY_OID.set(22, { oid: 22, typname: 'int2vector', displayName: 'int2vector', typlen: -1, arrayOid: 1006, elemOid: 21 });
BY_OID.set(1006, { oid: 1006, typname: '_int2vector', displayName: 'int2vector[]', typlen: -1, arrayOid: 0, elemOid: 22 });
BY_OID.set(30, { oid: 30, typname: 'oidvector', displayName: 'oidvector', typlen: -1, arrayOid: 1013, elemOid: 26 });
BY_OID.set(1013, { oid: 1013, typname: '_oidvector', displayName: 'oidvector[]', typlen: -1, arrayOid: 0, elemOid: 30 });

/** The facts about a type this server knows, or undefined. */
export function pgTypeInfo(oid: number): PgTypeInfo | undefined {
  return BY_OID.get(oid);
}

/** The name PostgreSQL's messages give a type ("???" for one it does not know, as format_type does). */
export function typeDisplayName(oid: number): string {
  return BY_OID.get(oid)?.displayName ?? '???';
}

/** True for int2vector and oidvector: arrays on the wire, space-separated lists in text. */
export function isVectorType(oid: number): boolean {
  return oid === PG_OID.int2vector || oid === PG_OID.oidvector;
}
