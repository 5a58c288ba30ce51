/**
 * Secret redaction for trace logs. Two independent layers, because either alone can miss:
 * 1. structural: the known positions of credentials in each protocol (execute_kw args[2],
 *    common.login/authenticate args[2], web session params.password, password-like keys,
 *    Authorization / Cookie headers);
 * 2. literal: every occurrence of the configured secrets in the serialized text, in raw,
 *    JSON-escaped and XML-escaped form, so bodies we do not parse (XML) are covered too.
 * Only called when trace logging is on, so cost does not matter here.
 */

export const MASK = '***';

const SECRET_KEY = /passw|api_?key|secret|token|session_id|^key$/i;
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-odoo-session-id|x-openerp-session-id)$/i;
/** Methods whose args[2] is the password / API key. */
const CREDENTIAL_METHODS = /^(execute_kw|execute|login|authenticate)$/;

export class Redactor {
  private readonly needles: string[];

  constructor(secrets: ReadonlyArray<string | undefined>) {
    const set = new Set<string>();
    for (const s of secrets) {
      if (!s) continue;
      set.add(s);
      set.add(JSON.stringify(s).slice(1, -1));
      set.add(escapeXml(s, false));
      set.add(escapeXml(s, true));
      set.add(encodeURIComponent(s));
    }
    // Longest first so a secret that contains another one is masked whole.
    this.needles = [...set].filter((n) => n.length > 0).sort((a, b) => b.length - a.length);
  }

  /** Replace every literal occurrence of a configured secret. */
  text(s: string): string {
    let out = s;
    for (const n of this.needles) if (out.includes(n)) out = out.split(n).join(MASK);
    return out;
  }

  /** Redact a request or response body (JSON structurally, XML-RPC by position, then literally). */
  body(text: string, contentType = ''): string {
    let out = text;
    if (/json/i.test(contentType) || /^\s*[[{]/.test(text)) {
      try {
        out = JSON.stringify(redactStructure(JSON.parse(text)));
      } catch {
        // not JSON after all: literal redaction below still applies
      }
    } else if (/<methodCall>/.test(text)) {
      out = redactXmlCall(text);
    }
    return this.text(out);
  }

  headers(headers: Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
    const out: Record<string, string | string[] | undefined> = {};
    for (const [k, v] of Object.entries(headers)) {
      out[k] = SECRET_HEADER.test(k) ? MASK : typeof v === 'string' ? this.text(v) : v;
    }
    return out;
  }
}

/** Copy of a JSON-RPC / JSON-2 payload with credential positions masked. */
export function redactStructure(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactStructure);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    out[k] = SECRET_KEY.test(k) && v !== null && typeof v !== 'object' && v !== false ? MASK : redactStructure(v);
  }
  const args = out.args;
  if (Array.isArray(args) && typeof out.method === 'string') {
    if (CREDENTIAL_METHODS.test(out.method) && args.length > 2) args[2] = MASK;
    else if (out.service === 'db' && args.length > 0) args[0] = MASK; // master password comes first
  }
  return out;
}

/** Mask the third <param> of execute_kw / login / authenticate XML-RPC calls. */
function redactXmlCall(xml: string): string {
  const name = /<methodName>\s*([^<]*?)\s*<\/methodName>/.exec(xml)?.[1] ?? '';
  if (!CREDENTIAL_METHODS.test(name)) return xml;
  let index = 0;
  return xml.replace(/<param>([\s\S]*?)<\/param>/g, (whole: string) =>
    index++ === 2 ? `<param><value><string>${MASK}</string></value></param>` : whole,
  );
}

function escapeXml(s: string, quotes: boolean): string {
  const out = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return quotes ? out.replace(/"/g, '&quot;').replace(/'/g, '&apos;') : out;
}
