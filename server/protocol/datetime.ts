/**
 * Dates and times with integer_datetimes: binary values are days (date) or microseconds
 * (timestamp, time) counted from 2000-01-01, and PostgreSQL's text output with DateStyle ISO and
 * IntervalStyle postgres. timestamptz text is in UTC with "+00", as with TimeZone=UTC.
 * The calendar arithmetic is PostgreSQL's own (date2j/j2date: proleptic Gregorian, Julian days).
 */
import { BinaryReader, codecError, syntaxError } from './codec-errors.js';
import { WIRE_SQLSTATE } from './errors.js';

const POSTGRES_EPOCH_JDATE = 2451545;
/** date2j(5874898, 1, 1): the first Julian day a date cannot hold. */
const DATE_END_JULIAN = 2147483494;
const USECS_PER_DAY = 86_400_000_000n;
const USECS_PER_HOUR = 3_600_000_000n;
const USECS_PER_MINUTE = 60_000_000n;
const USECS_PER_SEC = 1_000_000n;
/** 4714-11-24 BC 00:00:00 and 294277-01-01 00:00:00, as microseconds from 2000-01-01. */
const MIN_TIMESTAMP = -211_813_488_000_000_000n;
const END_TIMESTAMP = 9_223_371_331_200_000_000n;
const DT_NOBEGIN = -9_223_372_036_854_775_808n;
const DT_NOEND = 9_223_372_036_854_775_807n;
const DATEVAL_NOBEGIN = -2147483648;
const DATEVAL_NOEND = 2147483647;
/** A time zone offset must be under 16 hours. */
const TZDISP_LIMIT = 16 * 3600;

export function date2j(year: number, month: number, day: number): number {
  let y = year;
  let m = month;
  if (m > 2) {
    m += 1;
    y += 4800;
  } else {
    m += 13;
    y += 4799;
  }
  const century = Math.trunc(y / 100);
  let julian = y * 365 - 32167;
  julian += Math.trunc(y / 4) - century + Math.trunc(century / 4);
  julian += Math.trunc((7834 * m) / 256) + day;
  return julian;
}

export function j2date(jd: number): [number, number, number] {
  let julian = jd + 32044;
  let quad = Math.floor(julian / 146097);
  const extra = (julian - quad * 146097) * 4 + 3;
  julian += 60 + quad * 3 + Math.floor(extra / 146097);
  quad = Math.floor(julian / 1461);
  julian -= quad * 1461;
  let y = Math.floor((julian * 4) / 1461);
  julian = (y !== 0 ? (julian + 305) % 365 : (julian + 306) % 366) + 123;
  y += quad * 4;
  const year = y - 4800;
  quad = Math.floor((julian * 2141) / 65536);
  const day = julian - Math.floor((7834 * quad) / 256);
  const month = ((quad + 10) % 12) + 1;
  return [year, month, day];
}

const pad2 = (n: number | bigint): string => String(n).padStart(2, '0');

/** "YYYY-MM-DD" (year at least 4 digits) and whether it is BC. */
function ymd(jd: number): { text: string; bc: boolean } {
  const [y, m, d] = j2date(jd);
  const bc = y <= 0;
  return { text: `${String(bc ? 1 - y : y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`, bc };
}

/** Seconds with the fraction PostgreSQL shows: up to 6 digits, trailing zeros dropped. */
function seconds(sec: bigint, usec: bigint): string {
  let s = pad2(sec);
  if (usec !== 0n) s += '.' + String(usec).padStart(6, '0').replace(/0+$/, '');
  return s;
}

/** "HH:MM:SS[.ffffff]" of a time of day in microseconds. */
function timeOfDay(t: bigint): string {
  const h = t / USECS_PER_HOUR;
  let rest = t - h * USECS_PER_HOUR;
  const m = rest / USECS_PER_MINUTE;
  rest -= m * USECS_PER_MINUTE;
  const s = rest / USECS_PER_SEC;
  return `${pad2(h)}:${pad2(m)}:${seconds(s, rest - s * USECS_PER_SEC)}`;
}

// ---- date ----

export function decodeDate(r: BinaryReader): string {
  const v = r.int32();
  if (v === DATEVAL_NOBEGIN) return '-infinity';
  if (v === DATEVAL_NOEND) return 'infinity';
  const jd = v + POSTGRES_EPOCH_JDATE;
  if (jd < 0 || jd >= DATE_END_JULIAN) throw codecError(WIRE_SQLSTATE.datetime_field_overflow, 'date out of range');
  const { text, bc } = ymd(jd);
  return bc ? text + ' BC' : text;
}

interface ParsedDate {
  year: number;
  month: number;
  day: number;
}

/** Refuses month 13, February 30th and the like, as PostgreSQL does (22008). */
function checkDate(d: ParsedDate, text: string): void {
  if (d.month < 1 || d.month > 12 || d.day < 1) throw codecError(WIRE_SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${text}"`);
  const [, m2, d2] = j2date(date2j(d.year, d.month, d.day));
  if (m2 !== d.month || d2 !== d.day) throw codecError(WIRE_SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${text}"`);
}

/** The year of "YYYY … [BC]" as an astronomical year (1 BC = 0). */
function astronomical(year: number, bc: boolean): number {
  return bc ? 1 - year : year;
}

export function encodeDate(text: string): Buffer {
  const t = text.trim();
  const out = Buffer.allocUnsafe(4);
  const lower = t.toLowerCase();
  if (lower === 'infinity' || lower === '+infinity') {
    out.writeInt32BE(DATEVAL_NOEND);
    return out;
  }
  if (lower === '-infinity') {
    out.writeInt32BE(DATEVAL_NOBEGIN);
    return out;
  }
  const m = /^(\d{4,})-(\d{1,2})-(\d{1,2})(?:\s+(BC|AD))?$/i.exec(t);
  if (!m) throw syntaxError('date', text);
  const bc = (m[4] ?? '').toUpperCase() === 'BC';
  const d = { year: astronomical(Number(m[1]), bc), month: Number(m[2]), day: Number(m[3]) };
  if (Number(m[1]) === 0) throw codecError(WIRE_SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${text}"`);
  checkDate(d, text);
  const jd = date2j(d.year, d.month, d.day);
  if (jd < 0 || jd >= DATE_END_JULIAN) throw codecError(WIRE_SQLSTATE.datetime_field_overflow, `date out of range: "${text}"`);
  out.writeInt32BE(jd - POSTGRES_EPOCH_JDATE);
  return out;
}

// ---- timestamp, timestamptz ----

function formatTimestamp(t: bigint, withZone: boolean): string {
  if (t === DT_NOBEGIN) return '-infinity';
  if (t === DT_NOEND) return 'infinity';
  if (t < MIN_TIMESTAMP || t >= END_TIMESTAMP) throw codecError(WIRE_SQLSTATE.datetime_field_overflow, 'timestamp out of range');
  let days = t / USECS_PER_DAY;
  let time = t - days * USECS_PER_DAY;
  if (time < 0n) {
    time += USECS_PER_DAY;
    days -= 1n;
  }
  const { text, bc } = ymd(Number(days) + POSTGRES_EPOCH_JDATE);
  return `${text} ${timeOfDay(time)}${withZone ? '+00' : ''}${bc ? ' BC' : ''}`;
}

export function decodeTimestamp(r: BinaryReader): string {
  return formatTimestamp(r.int64(), false);
}

export function decodeTimestamptz(r: BinaryReader): string {
  return formatTimestamp(r.int64(), true);
}

/** A fraction of a second ("5", "123456789") in microseconds, rounded half up. */
function fractionMicros(frac: string | undefined): bigint {
  if (!frac) return 0n;
  const digits = frac.padEnd(7, '0');
  let us = BigInt(digits.slice(0, 6));
  if (Number(digits[6]) >= 5) us += 1n;
  return us;
}

/** "+05", "-08:00", "+05:30:15", "Z", "UTC" → seconds east of UTC. */
function parseOffset(zone: string, text: string, typeName: string): number {
  const z = zone.trim();
  if (z === '' || /^(z|utc|gmt)$/i.test(z)) return 0;
  const m = /^([+-])(\d{1,2})(?::?(\d{2})(?::?(\d{2}))?)?$/.exec(z);
  if (!m) throw syntaxError(typeName, text);
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  if (secs >= TZDISP_LIMIT || Number(m[3] ?? 0) > 59 || Number(m[4] ?? 0) > 59) {
    throw codecError(WIRE_SQLSTATE.invalid_time_zone_displacement_value, 'time zone displacement out of range');
  }
  return m[1] === '-' ? -secs : secs;
}

const TIME_PART = '(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d+))?)?';
const TIMESTAMP_RE = new RegExp(`^(\\d{4,})-(\\d{1,2})-(\\d{1,2})(?:[ T]+${TIME_PART})?\\s*((?:[+-]\\d{1,2}(?::?\\d{2}(?::?\\d{2})?)?)|Z|UTC|GMT)?(?:\\s+(BC|AD))?$`, 'i');

function encodeTimestampText(text: string, withZone: boolean): Buffer {
  const typeName = withZone ? 'timestamp with time zone' : 'timestamp';
  const t = text.trim();
  const out = Buffer.allocUnsafe(8);
  const lower = t.toLowerCase();
  if (lower === 'infinity' || lower === '+infinity') {
    out.writeBigInt64BE(DT_NOEND);
    return out;
  }
  if (lower === '-infinity') {
    out.writeBigInt64BE(DT_NOBEGIN);
    return out;
  }
  const m = TIMESTAMP_RE.exec(t);
  if (!m) throw syntaxError(typeName, text);
  const bc = (m[9] ?? '').toUpperCase() === 'BC';
  if (Number(m[1]) === 0) throw codecError(WIRE_SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${text}"`);
  const d = { year: astronomical(Number(m[1]), bc), month: Number(m[2]), day: Number(m[3]) };
  checkDate(d, text);
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  if (hour > 24 || minute > 59 || second > 60 || (hour === 24 && (minute > 0 || second > 0 || fractionMicros(m[7]) > 0n))) {
    throw codecError(WIRE_SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${text}"`);
  }
  // timestamp ignores a zone in its input, as PostgreSQL does; timestamptz converts to UTC.
  const offset = withZone && m[8] !== undefined ? parseOffset(m[8], text, typeName) : 0;
  const days = BigInt(date2j(d.year, d.month, d.day) - POSTGRES_EPOCH_JDATE);
  const value =
    days * USECS_PER_DAY + BigInt(hour) * USECS_PER_HOUR + BigInt(minute) * USECS_PER_MINUTE + BigInt(second) * USECS_PER_SEC + fractionMicros(m[7]) - BigInt(offset) * USECS_PER_SEC;
  if (value < MIN_TIMESTAMP || value >= END_TIMESTAMP) throw codecError(WIRE_SQLSTATE.datetime_field_overflow, `timestamp out of range: "${text}"`);
  out.writeBigInt64BE(value);
  return out;
}

export function encodeTimestamp(text: string): Buffer {
  return encodeTimestampText(text, false);
}

export function encodeTimestamptz(text: string): Buffer {
  return encodeTimestampText(text, true);
}

// ---- time, timetz ----

function checkTime(t: bigint): void {
  if (t < 0n || t > USECS_PER_DAY) throw codecError(WIRE_SQLSTATE.datetime_field_overflow, 'time out of range');
}

export function decodeTime(r: BinaryReader): string {
  const t = r.int64();
  checkTime(t);
  return timeOfDay(t);
}

/** "+05:30" for a zone given in seconds west of UTC, as EncodeTimezone prints it. */
function formatZone(tz: number): string {
  let sec = Math.abs(tz);
  let min = Math.floor(sec / 60);
  sec -= min * 60;
  const hour = Math.floor(min / 60);
  min -= hour * 60;
  const sign = tz <= 0 ? '+' : '-';
  if (sec !== 0) return `${sign}${pad2(hour)}:${pad2(min)}:${pad2(sec)}`;
  if (min !== 0) return `${sign}${pad2(hour)}:${pad2(min)}`;
  return `${sign}${pad2(hour)}`;
}

export function decodeTimetz(r: BinaryReader): string {
  const t = r.int64();
  const zone = r.int32();
  checkTime(t);
  if (zone <= -TZDISP_LIMIT || zone >= TZDISP_LIMIT) throw codecError(WIRE_SQLSTATE.invalid_time_zone_displacement_value, 'time zone displacement out of range');
  return timeOfDay(t) + formatZone(zone);
}

const TIME_RE = new RegExp(`^${TIME_PART}\\s*((?:[+-]\\d{1,2}(?::?\\d{2}(?::?\\d{2})?)?)|Z|UTC|GMT)?$`, 'i');

function parseTime(text: string, typeName: string): { micros: bigint; zone: string | undefined } {
  const m = TIME_RE.exec(text.trim());
  if (!m) throw syntaxError(typeName, text);
  const hour = BigInt(m[1] as string);
  const minute = BigInt(m[2] as string);
  const second = BigInt(m[3] ?? 0);
  if (minute > 59n || second > 60n) throw codecError(WIRE_SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${text}"`);
  const micros = hour * USECS_PER_HOUR + minute * USECS_PER_MINUTE + second * USECS_PER_SEC + fractionMicros(m[4]);
  if (micros > USECS_PER_DAY) throw codecError(WIRE_SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${text}"`);
  return { micros, zone: m[5] };
}

export function encodeTime(text: string): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeBigInt64BE(parseTime(text, 'time without time zone').micros);
  return out;
}

export function encodeTimetz(text: string): Buffer {
  const { micros, zone } = parseTime(text, 'time with time zone');
  const out = Buffer.allocUnsafe(12);
  out.writeBigInt64BE(micros);
  // On the wire the zone is in seconds west of UTC.
  out.writeInt32BE(-parseOffset(zone ?? '', text, 'time with time zone'), 8);
  return out;
}

// ---- interval ----

/** One "N unit" part of IntervalStyle postgres; is_before makes the next positive part say "+". */
function intervalPart(state: { parts: string[]; before: boolean }, value: number, unit: string): void {
  if (value === 0) return;
  state.parts.push(`${state.before && value > 0 ? '+' : ''}${value} ${unit}${value !== 1 ? 's' : ''}`);
  state.before = value < 0;
}

export function formatInterval(months: number, days: number, micros: bigint): string {
  const state = { parts: [] as string[], before: false };
  intervalPart(state, Math.trunc(months / 12), 'year');
  intervalPart(state, months % 12, 'mon');
  intervalPart(state, days, 'day');
  const zero = state.parts.length === 0;
  if (zero || micros !== 0n) {
    const negative = micros < 0n;
    const abs = negative ? -micros : micros;
    const h = abs / USECS_PER_HOUR;
    let rest = abs - h * USECS_PER_HOUR;
    const m = rest / USECS_PER_MINUTE;
    rest -= m * USECS_PER_MINUTE;
    const s = rest / USECS_PER_SEC;
    const sign = negative ? '-' : state.before ? '+' : '';
    state.parts.push(`${sign}${pad2(h)}:${pad2(m)}:${seconds(s, rest - s * USECS_PER_SEC)}`);
  }
  return state.parts.join(' ');
}

export function decodeInterval(r: BinaryReader): string {
  const micros = r.int64();
  const days = r.int32();
  const months = r.int32();
  return formatInterval(months, days, micros);
}

const UNIT_MONTHS: Record<string, number> = { year: 12, years: 12, y: 12, yr: 12, yrs: 12, mon: 1, mons: 1, month: 1, months: 1 };
const UNIT_DAYS: Record<string, number> = { day: 1, days: 1, d: 1, week: 7, weeks: 7, w: 7 };
const UNIT_MICROS: Record<string, bigint> = {
  hour: USECS_PER_HOUR,
  hours: USECS_PER_HOUR,
  h: USECS_PER_HOUR,
  hr: USECS_PER_HOUR,
  hrs: USECS_PER_HOUR,
  min: USECS_PER_MINUTE,
  mins: USECS_PER_MINUTE,
  minute: USECS_PER_MINUTE,
  minutes: USECS_PER_MINUTE,
  m: USECS_PER_MINUTE,
  sec: USECS_PER_SEC,
  secs: USECS_PER_SEC,
  second: USECS_PER_SEC,
  seconds: USECS_PER_SEC,
  s: USECS_PER_SEC,
};

interface IntervalValue {
  months: number;
  days: number;
  micros: bigint;
}

/** IntervalStyle postgres and postgres_verbose ("1 year 2 mons -3 days +04:05:06.5", "@ 1 day ago"). */
function parsePostgresInterval(text: string): IntervalValue | undefined {
  let t = text.trim();
  let ago = false;
  if (t.startsWith('@')) t = t.slice(1).trim();
  if (/\s+ago$/i.test(t)) {
    ago = true;
    t = t.replace(/\s+ago$/i, '');
  }
  const v: IntervalValue = { months: 0, days: 0, micros: 0n };
  const tokens = t.split(/\s+/).filter((x) => x !== '');
  if (tokens.length === 0) return undefined;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as string;
    const time = /^([+-])?(\d+):(\d{1,2})(?::(\d{1,2})(?:\.(\d+))?)?$/.exec(tok);
    if (time) {
      let us = BigInt(time[2] as string) * USECS_PER_HOUR + BigInt(time[3] as string) * USECS_PER_MINUTE + BigInt(time[4] ?? 0) * USECS_PER_SEC + fractionMicros(time[5]);
      if (time[1] === '-') us = -us;
      v.micros += us;
      continue;
    }
    const num = /^([+-]?\d+)(?:\.(\d+))?$/.exec(tok);
    if (!num) return undefined;
    const unit = (tokens[i + 1] ?? '').toLowerCase();
    i++;
    const whole = Number(num[1]);
    if (UNIT_MONTHS[unit] !== undefined && !num[2]) v.months += whole * UNIT_MONTHS[unit];
    else if (UNIT_DAYS[unit] !== undefined && !num[2]) v.days += whole * UNIT_DAYS[unit];
    else if (UNIT_MICROS[unit] !== undefined) {
      const negative = (num[1] as string).startsWith('-');
      const scaled = BigInt((num[1] as string).replace(/^[+-]/, '')) * (UNIT_MICROS[unit] as bigint) + (fractionMicros(num[2]) * (UNIT_MICROS[unit] as bigint)) / USECS_PER_SEC;
      v.micros += negative ? -scaled : scaled;
    } else return undefined;
  }
  if (ago) return { months: -v.months, days: -v.days, micros: -v.micros };
  return v;
}

/** IntervalStyle iso_8601 ("P1Y2M3DT4H5M6.5S", "PT0S"). */
function parseIsoInterval(text: string): IntervalValue | undefined {
  const m = /^P(?:([+-]?\d+)Y)?(?:([+-]?\d+)M)?(?:([+-]?\d+)W)?(?:([+-]?\d+)D)?(?:T(?:([+-]?\d+)H)?(?:([+-]?\d+)M)?(?:([+-]?)(\d+)(?:\.(\d+))?S)?)?$/i.exec(text.trim());
  if (!m || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) return undefined;
  let secs = BigInt(m[8] ?? 0) * USECS_PER_SEC + fractionMicros(m[9]);
  if (m[7] === '-') secs = -secs;
  return {
    months: Number(m[1] ?? 0) * 12 + Number(m[2] ?? 0),
    days: Number(m[3] ?? 0) * 7 + Number(m[4] ?? 0),
    micros: BigInt(m[5] ?? 0) * USECS_PER_HOUR + BigInt(m[6] ?? 0) * USECS_PER_MINUTE + secs,
  };
}

export function encodeInterval(text: string): Buffer {
  const v = parsePostgresInterval(text) ?? parseIsoInterval(text);
  if (!v) throw syntaxError('interval', text);
  if (v.months > 2147483647 || v.months < -2147483648 || v.days > 2147483647 || v.days < -2147483648 || v.micros > DT_NOEND || v.micros < DT_NOBEGIN) {
    throw codecError(WIRE_SQLSTATE.datetime_field_overflow, `interval field value out of range: "${text}"`);
  }
  const out = Buffer.allocUnsafe(16);
  out.writeBigInt64BE(v.micros, 0);
  out.writeInt32BE(v.days, 8);
  out.writeInt32BE(v.months, 12);
  return out;
}

