import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../../emulator/snapshot.js';
import {
  XmlRpcDouble,
  XmlRpcParseError,
  decodeMethodCall,
  decodeMethodResponse,
  encodeFault,
  encodeMethodCall,
  encodeMethodResponse,
  type XmlRpcResponse,
  type XmlRpcValue,
} from '../../src/odoo/xmlrpc-codec.js';

const snapshotDir = resolveDataDir();

interface Capture {
  request: { body_raw: string };
  response: { body_raw: string };
}

function capture(name: string): Capture {
  return JSON.parse(readFileSync(resolve(snapshotDir, 'captures', `${name}.json`), 'utf8')) as Capture;
}

const CAPTURES = [
  '70_xmlrpc_common_version',
  '71_xmlrpc_common_authenticate',
  '72_xmlrpc_search_read',
  '73_xmlrpc_error_unknown_field',
  '74_xmlrpc_error_access_denied',
  '75_xmlrpc_error_unknown_model',
  '76_xmlrpc_error_access_error_demo',
] as const;

const HEAD = "<?xml version='1.0'?>\n";

function response(valueXml: string): string {
  return `${HEAD}<methodResponse>\n<params>\n<param>\n${valueXml}</param>\n</params>\n</methodResponse>\n`;
}

function result(xml: string): XmlRpcValue {
  const r = decodeMethodResponse(xml);
  if (r.kind !== 'result') throw new Error(`expected a result, got fault ${String(r.faultCode)}`);
  return r.value;
}

function parseError(fn: () => unknown): XmlRpcParseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(XmlRpcParseError);
    return err as XmlRpcParseError;
  }
  throw new Error('expected an XmlRpcParseError');
}

function roundTrip(value: unknown): XmlRpcValue {
  return result(encodeMethodResponse(value, { allowNone: true }));
}

describe('captures of a real Odoo 17', () => {
  it('decodes common.version (70) and re-encodes it byte for byte', () => {
    const c = capture('70_xmlrpc_common_version');
    const value = result(c.response.body_raw);
    expect(value).toEqual({
      server_version: '17.0-20240709',
      server_version_info: [17, 0, 0, 'final', 0, ''],
      server_serie: '17.0',
      protocol_version: 1,
    });
    expect(encodeMethodResponse(value)).toBe(c.response.body_raw);
    expect(decodeMethodCall(c.request.body_raw)).toEqual({ method: 'version', params: [] });
  });

  it('decodes authenticate (71)', () => {
    const c = capture('71_xmlrpc_common_authenticate');
    expect(result(c.response.body_raw)).toBe(2);
    expect(encodeMethodResponse(2)).toBe(c.response.body_raw);
    expect(decodeMethodCall(c.request.body_raw)).toEqual({
      method: 'authenticate',
      params: ['odoo', 'admin', 'admin', {}],
    });
  });

  it('decodes search_read (72): a list of partner structs with many2one pairs', () => {
    const c = capture('72_xmlrpc_search_read');
    const value = result(c.response.body_raw);
    expect(value).toEqual([
      { id: 14, name: 'Azure Interior', country_id: [233, 'United States'] },
      { id: 10, name: 'Deco Addict', country_id: [233, 'United States'] },
    ]);
    expect(encodeMethodResponse(value)).toBe(c.response.body_raw);
    expect(decodeMethodCall(c.request.body_raw)).toEqual({
      method: 'execute_kw',
      params: ['odoo', 2, 'admin', 'res.partner', 'search_read', [[['is_company', '=', true]]], { fields: ['name', 'country_id'], limit: 2 }],
    });
  });

  it('decodes the faults 1, 3, 2 and 4 (73-76)', () => {
    const expected: Record<string, XmlRpcResponse> = {
      '73_xmlrpc_error_unknown_field': {
        kind: 'fault',
        faultCode: 1,
        faultString: "ValueError: Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)\n",
      },
      '74_xmlrpc_error_access_denied': { kind: 'fault', faultCode: 3, faultString: 'Access Denied' },
      '75_xmlrpc_error_unknown_model': { kind: 'fault', faultCode: 2, faultString: "Object no.such.model doesn't exist" },
    };
    for (const [name, fault] of Object.entries(expected)) {
      const c = capture(name);
      expect(decodeMethodResponse(c.response.body_raw)).toEqual(fault);
      if (fault.kind === 'fault') expect(encodeFault(fault.faultCode, fault.faultString)).toBe(c.response.body_raw);
    }
    const c76 = capture('76_xmlrpc_error_access_error_demo');
    const f76 = decodeMethodResponse(c76.response.body_raw);
    expect(f76.kind).toBe('fault');
    if (f76.kind !== 'fault') return;
    expect(f76.faultCode).toBe(4);
    expect(f76.faultString).toBe(
      "You are not allowed to access 'System Parameter' (ir.config_parameter) records.\n\n" +
        'This operation is allowed for the following groups:\n\t- Administration/Settings\n\n' +
        'Contact your administrator to request access if necessary.',
    );
    // That capture lost the final newline (its Content-Length is one byte more than the body).
    expect(encodeFault(4, f76.faultString)).toBe(`${c76.response.body_raw}\n`);
  });

  it('decodes every request body and re-encodes the Python-made ones exactly', () => {
    const requests = CAPTURES.map((name) => decodeMethodCall(capture(name).request.body_raw));
    expect(requests.map((r) => r.method)).toEqual(['version', 'authenticate', ...Array(5).fill('execute_kw')]);
    expect(requests[4]?.params).toEqual(['odoo', 2, '<redacted>', 'res.partner', 'search_count', [[]]]);
    expect(requests[5]?.params).toEqual(['odoo', 2, 'admin', 'no.such.model', 'search_count', [[]]]);
    // 76 was sent by a compact client (self-closing <data/>, no newlines).
    expect(requests[6]?.params).toEqual(['odoo', 6, 'demo', 'ir.config_parameter', 'search_count', [[]]]);
    for (const name of CAPTURES.slice(0, 6)) {
      const body = capture(name).request.body_raw;
      const call = decodeMethodCall(body);
      expect(encodeMethodCall(call.method, call.params)).toBe(body);
    }
  });

  it('flags every cut of every capture as truncated', () => {
    for (const name of CAPTURES) {
      const c = capture(name);
      for (const [body, decode] of [
        [c.response.body_raw, decodeMethodResponse],
        [c.request.body_raw, decodeMethodCall],
      ] as const) {
        const complete = body.trimEnd().length;
        for (let cut = 0; cut < complete; cut++) {
          const err = parseError(() => decode(body.slice(0, cut)));
          if (!err.truncated) throw new Error(`${name} cut at ${cut} not flagged truncated: ${err.message}`);
          expect(err.looksLikeHtml).toBe(false);
        }
        expect(() => decode(body.slice(0, complete))).not.toThrow();
      }
    }
  });
});

describe('encoding layout (Python xmlrpc.client)', () => {
  it('matches Python byte for byte for every type', () => {
    const python =
      response(
        '<value><array><data>\n<value><int>1</int></value>\n<value><double>1.0</double></value>\n' +
          '<value><double>1e+16</double></value>\n<value><double>1.5e-07</double></value>\n' +
          '<value><boolean>1</boolean></value>\n<value><string>a&amp;&lt;&gt;"</string></value>\n' +
          '<value><nil/></value><value><base64>\n' +
          'eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4\neHh4\n</base64></value>\n' +
          '<value><base64>\n' +
          'eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5\n' +
          'eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eQ==\n</base64></value>\n' +
          '<value><base64>\n</base64></value>\n' +
          '<value><dateTime.iso8601>20240131T10:00:00</dateTime.iso8601></value>\n' +
          '<value><struct>\n<member>\n<name>k</name>\n<value><array><data>\n</data></array></value>\n</member>\n' +
          '<member>\n<name>n</name>\n<value><int>-7</int></value>\n</member>\n</struct></value>\n' +
          '</data></array></value>\n',
      );
    const value = [
      1,
      new XmlRpcDouble(1),
      new XmlRpcDouble(1e16),
      1.5e-7,
      true,
      'a&<>"',
      null,
      new Uint8Array(60).fill(0x78),
      Buffer.alloc(100, 'y'),
      new Uint8Array(0),
      new Date(Date.UTC(2024, 0, 31, 10, 0, 0)),
      { k: [], skipped: undefined, n: -7 },
    ];
    expect(encodeMethodResponse(value, { allowNone: true })).toBe(python);
  });

  it('writes doubles like Python repr()', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'],
      [1e15, '1000000000000000.0'],
      [123456789012345678, '1.2345678901234568e+17'],
      [1e-4, '0.0001'],
      [1e-5, '1e-05'],
      [3.14, '3.14'],
      [-2.5, '-2.5'],
      [1e300, '1e+300'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [2 ** 31, '2147483648.0'],
      [12345.678, '12345.678'],
      [0.000123, '0.000123'],
      [0, '0.0'],
      [-0, '-0.0'],
      [NaN, 'nan'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
    ];
    for (const [n, repr] of cases) {
      expect(encodeMethodResponse(new XmlRpcDouble(n))).toBe(response(`<value><double>${repr}</double></value>\n`));
    }
  });

  it('encodes a method call with the methodName header', () => {
    expect(encodeMethodCall('execute_kw', ['odoo', 2, [[['id', 'in', [1, 2]]]], { limit: 5, skipped: undefined }])).toBe(
      `${HEAD}<methodCall>\n<methodName>execute_kw</methodName>\n<params>\n` +
        '<param>\n<value><string>odoo</string></value>\n</param>\n<param>\n<value><int>2</int></value>\n</param>\n' +
        '<param>\n<value><array><data>\n<value><array><data>\n<value><array><data>\n' +
        '<value><string>id</string></value>\n<value><string>in</string></value>\n' +
        '<value><array><data>\n<value><int>1</int></value>\n<value><int>2</int></value>\n</data></array></value>\n' +
        '</data></array></value>\n</data></array></value>\n</data></array></value>\n</param>\n' +
        '<param>\n<value><struct>\n<member>\n<name>limit</name>\n<value><int>5</int></value>\n</member>\n' +
        '</struct></value>\n</param>\n</params>\n</methodCall>\n',
    );
  });

  it('keeps the insertion order of a Map (plain objects put integer-like keys first)', () => {
    const xml = encodeMethodResponse(new Map<string, unknown>([['b', 1], ['2', 2]]));
    expect(xml.indexOf('<name>b</name>')).toBeLessThan(xml.indexOf('<name>2</name>'));
    expect(result(xml)).toEqual({ b: 1, 2: 2 });
  });
});

describe('round trips', () => {
  it('scalars', () => {
    for (const v of [0, 1, -1, 2147483647, -2147483648, 0.5, -1e-9, true, false, '', 'héllo 🌍 中文', ' padded \t']) {
      expect(roundTrip(v)).toEqual(v);
    }
    expect(roundTrip(new XmlRpcDouble(3))).toBe(3);
    expect(roundTrip(new XmlRpcDouble(1e300))).toBe(1e300);
    expect(roundTrip(new XmlRpcDouble(NaN))).toBeNaN();
    expect(roundTrip(new XmlRpcDouble(-Infinity))).toBe(-Infinity);
    expect(roundTrip(null)).toBeNull();
  });

  it('strings with markup characters', () => {
    const s = `<b>Tom & "Jerry"</b> ]]> &amp; 'x'`;
    expect(roundTrip(s)).toBe(s);
  });

  it('dates and binaries', () => {
    const d = new Date(Date.UTC(2024, 0, 31, 10, 0, 0));
    expect(roundTrip(d)).toEqual(d);
    const yearOne = new Date('0001-02-03T04:05:06Z');
    expect(encodeMethodResponse(yearOne)).toContain('<dateTime.iso8601>00010203T04:05:06</dateTime.iso8601>');
    expect(roundTrip(yearOne)).toEqual(yearOne);
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
    const back = roundTrip(bytes);
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Array.from(back as Uint8Array)).toEqual(Array.from(bytes));
    expect(roundTrip(Buffer.from('hello'))).toEqual(new Uint8Array(Buffer.from('hello')));
  });

  it('nested arrays and structs', () => {
    const v = {
      ids: [1, 2, 3],
      nested: { a: [[], {}, [{ b: [true, null, 'x'] }]], empty: '' },
      'key with <&> chars': 1.25,
    };
    expect(roundTrip(v)).toEqual(v);
  });

  it('method calls', () => {
    const params = ['odoo', 2, 'pw', 'res.partner', 'write', [[7], { name: 'New & <name>', active: false }], { context: { lang: 'en_US' } }];
    expect(decodeMethodCall(encodeMethodCall('execute_kw', params))).toEqual({ method: 'execute_kw', params });
    expect(decodeMethodCall(encodeMethodCall('version', []))).toEqual({ method: 'version', params: [] });
  });
});

describe('nil and integer limits', () => {
  it('refuses None in responses unless allow_none, with the text Python raises', () => {
    expect(() => encodeMethodResponse(null)).toThrow(new TypeError('cannot marshal None unless allow_none is enabled'));
    expect(() => encodeMethodResponse({ a: [1, null] })).toThrow('cannot marshal None unless allow_none is enabled');
    expect(() => encodeMethodResponse([undefined])).toThrow(TypeError);
    expect(encodeMethodResponse({ a: undefined })).toBe(response('<value><struct>\n</struct></value>\n'));
    expect(encodeMethodResponse(null, { allowNone: true })).toBe(response('<value><nil/></value>'));
  });

  it('refuses null and undefined in requests, naming where they are', () => {
    expect(() => encodeMethodCall('execute_kw', ['odoo', 2, 'pw', 'res.partner', 'search', [[['x', '=', null]]]])).toThrow(
      /cannot marshal null at params\[5\]\[0\]\[0\]\[2\].*send false/,
    );
    expect(() => encodeMethodCall('m', [{ context: { tz: undefined, lang: null } }])).toThrow(/params\[0\]\.context\.lang/);
    expect(() => encodeMethodCall('m', [undefined])).toThrow(/cannot marshal undefined at params\[0\]/);
  });

  it('decodes <nil/> (and the ex:nil extension) as null', () => {
    expect(result(response('<value><nil/></value>'))).toBeNull();
    expect(
      result(`<methodResponse xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions"><params><param><value><ex:nil/></value></param></params></methodResponse>`),
    ).toBeNull();
  });

  it('int32 limits', () => {
    expect(() => encodeMethodResponse(2 ** 31)).toThrow(new TypeError('int exceeds XML-RPC limits'));
    expect(() => encodeMethodResponse([-(2 ** 31) - 1])).toThrow('int exceeds XML-RPC limits');
    expect(() => encodeMethodResponse(2n ** 40n)).toThrow('int exceeds XML-RPC limits');
    expect(encodeMethodResponse(new XmlRpcDouble(2 ** 31))).toBe(response('<value><double>2147483648.0</double></value>\n'));
    expect(encodeMethodResponse(-(2 ** 31))).toBe(response('<value><int>-2147483648</int></value>\n'));
    // Requests: a big JS number goes as a double, a bigint as <i8>.
    expect(encodeMethodCall('m', [2 ** 31])).toContain('<value><double>2147483648.0</double></value>');
    expect(encodeMethodCall('m', [2n ** 40n])).toContain('<value><i8>1099511627776</i8></value>');
    expect(encodeMethodCall('m', [5n])).toContain('<value><int>5</int></value>');
    expect(() => encodeMethodCall('m', [2n ** 70n])).toThrow('int exceeds XML-RPC limits');
  });

  it('decodes <i8> and refuses integers beyond JavaScript safe integers', () => {
    expect(result(response('<value><i8>1099511627776</i8></value>'))).toBe(2 ** 40);
    expect(result(response('<value><i4> -12 </i4></value>'))).toBe(-12);
    const err = parseError(() => decodeMethodResponse(response('<value><i8>9223372036854775807</i8></value>')));
    expect(err.message).toMatch(/safe integers/);
  });
});

describe('strings', () => {
  it('strips control characters other than tab, LF and CR, as Odoo does', () => {
    const xml = encodeMethodResponse('a\x00b\x07c\td\ne\rf\x1f\x0bg');
    expect(xml).toBe(response('<value><string>abc\td\ne\rf' + 'g</string></value>\n'));
    expect(encodeMethodCall('m', [{ 'k\x01ey': 'v\x02' }])).toContain('<name>key</name>\n<value><string>v</string>');
  });

  it('normalizes raw line ends like an XML parser but keeps &#13;', () => {
    expect(result(response('<value><string>a\r\nb\rc&#13;d</string></value>'))).toBe('a\nb\nc\rd');
  });

  it('expands entities, character references, CDATA, and skips comments', () => {
    expect(result(response('<value><string>&lt;&gt;&amp;&quot;&apos;&#65;&#x1F600;</string></value>'))).toBe(`<>&"'A😀`);
    expect(result(response('<value><string>a<![CDATA[<b> & ]]>c<!-- note -->d</string></value>'))).toBe('a<b> & cd');
    expect(result(response('<value>untyped &amp; text</value>'))).toBe('untyped & text');
    expect(result(response('<value></value>'))).toBe('');
    expect(result(response('<value/>'))).toBe('');
    expect(result(response('<value><string/></value>'))).toBe('');
    for (const bad of ['&bogus;', '&#0;', '&#x1;', '&#xZZ;', '& alone', '&#;']) {
      const err = parseError(() => decodeMethodResponse(response(`<value><string>${bad}</string></value>`)));
      expect(err.truncated).toBe(false);
    }
  });
});

describe('lenient where XML allows it, strict where XML-RPC does not', () => {
  it('accepts pretty-printed documents, comments, attributes, a BOM, double-quoted declarations', () => {
    const xml = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<!-- generated -->
<methodResponse>
  <params>
    <param>
      <value>
        <struct>
          <member>
            <name>ids</name>
            <value>
              <array>
                <data>
                  <value><int>1</int></value>
                  <value><i4>2</i4></value>
                </data>
              </array>
            </value>
          </member>
          <member><name>flag</name><value><boolean>0</boolean></value></member>
          <member><name>empty</name><value><array><data/></array></value></member>
          <member><name>e2</name><value><struct/></value></member>
          <member><name>when</name><value><dateTime.iso8601>2024-01-31T10:00:00Z</dateTime.iso8601></value></member>
          <member><name>bin</name><value><base64>
aGVs
bG8=
</base64></value></member>
        </struct>
      </value>
    </param>
  </params>
</methodResponse>
<!-- trailer -->
`;
    expect(result(xml)).toEqual({
      ids: [1, 2],
      flag: false,
      empty: [],
      e2: {},
      when: new Date(Date.UTC(2024, 0, 31, 10, 0, 0)),
      bin: new Uint8Array(Buffer.from('hello')),
    });
  });

  it('decodes dateTime.iso8601 in UTC, with offsets and fractions', () => {
    const dt = (s: string) => result(response(`<value><dateTime.iso8601>${s}</dateTime.iso8601></value>`));
    expect(dt('20240131T10:00:00')).toEqual(new Date('2024-01-31T10:00:00Z'));
    expect(dt('2024-01-31T10:00:00.250+02:00')).toEqual(new Date('2024-01-31T08:00:00.250Z'));
    expect((dt('00010101T00:00:00') as Date).getUTCFullYear()).toBe(1);
    for (const bad of ['20240230T10:00:00', '2024013T10:00:00', '20241301T00:00:00', '20240131T24:00:00', 'yesterday']) {
      expect(() => dt(bad)).toThrow(XmlRpcParseError);
    }
  });

  it('keeps a member named __proto__ as data', () => {
    const v = result(response('<value><struct><member><name>__proto__</name><value><int>1</int></value></member></struct></value>'));
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v as object)).toEqual(['__proto__']);
  });

  it('rejects malformed documents with a clear message', () => {
    const cases: [string, RegExp][] = [
      [response('<value><float>1</float></value>'), /unknown XML-RPC type <float>/],
      [response('<value><int>1.5</int></value>'), /bad <int> value "1.5"/],
      [response('<value><boolean>true</boolean></value>'), /bad <boolean>/],
      [response('<value><double>1..2</double></value>'), /bad <double>/],
      [response('<value><base64>!!</base64></value>'), /bad <base64>/],
      [response('<value><array><data>junk<value/></data></array></value>'), /unexpected text "junk"/],
      [response('<value><array><data><value><int>1</int></value></array></value>'), /expected <\/data> but found <\/array>/],
      [response('<value><struct><member><value>1</value></member></struct></value>'), /expected <name>/],
      [response('<value><int>1</int><int>2</int></value>'), /expected <\/value>/],
      [response('<value>text<int>1</int></value>'), /text mixed with <int>/],
      ['<methodResponse><params><param><value>1</value></param><param><value>2</value></param></params></methodResponse>', /exactly one <param>/],
      ['<methodResponse><params></params></methodResponse>', /no <param>/],
      ['<methodResponse><fault><value><int>1</int></value></fault></methodResponse>', /does not hold a struct/],
      ['<methodResponse><fault><value><struct/></value></fault></methodResponse>', /no faultCode/],
      [response('<value>1</value>') + '<extra/>', /after the root element/],
      ['<methodCall><methodName>x</methodName></methodCall>', /expected <methodResponse> as the root element but found <methodCall>/],
      ['<!DOCTYPE x [<!ENTITY a "b">]><methodResponse/>', /DOCTYPE/],
      ['{"jsonrpc": "2.0", "result": 1}', /got a JSON document/],
      ['Bad Gateway', /got plain text/],
      ['<methodResponse><params =x>', /unquoted attribute value in <params>/],
      ['<methodResponse><params x></params></methodResponse>', /malformed attribute in <params>/],
    ];
    for (const [xml, message] of cases) {
      const err = parseError(() => decodeMethodResponse(xml));
      expect(err.message).toMatch(message);
      expect(err.truncated).toBe(false);
      expect(err.looksLikeHtml).toBe(false);
      expect(err.snippet).toBe(xml.slice(0, 200));
    }
  });

  it('reports an empty body as truncated', () => {
    expect(parseError(() => decodeMethodResponse('')).truncated).toBe(true);
    expect(parseError(() => decodeMethodResponse('  \n')).truncated).toBe(true);
  });

  it('rejects non-string input', () => {
    expect(() => decodeMethodResponse(Buffer.from('<x/>') as unknown as string)).toThrow(TypeError);
  });
});

describe('HTML pages instead of XML-RPC', () => {
  it('recognizes a proxy error page and quotes its title', () => {
    const page = `<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n`;
    const err = parseError(() => decodeMethodResponse(page));
    expect(err.looksLikeHtml).toBe(true);
    expect(err.truncated).toBe(false);
    expect(err.message).toBe('expected an XML-RPC response but got an HTML page: 502 Bad Gateway');
    expect(err.snippet).toBe(page.slice(0, 200));
  });

  it('recognizes pages without a doctype, XHTML, and unbalanced HTML', () => {
    const pages = [
      '<html><head>\n<title>\n  Odoo &amp; Co\n  Login </title></head><body><form><input name=login></form></body></html>',
      `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html xmlns="http://www.w3.org/1999/xhtml"><head><title>Odoo &amp; Co Login</title></head></html>`,
      '\n\n<HTML><BODY><P>Odoo &amp; Co Login<br></BODY></HTML>',
    ];
    for (const page of pages) {
      const err = parseError(() => decodeMethodResponse(page));
      expect(err.looksLikeHtml).toBe(true);
    }
    expect(parseError(() => decodeMethodResponse(pages[0]!)).message).toMatch(/HTML page: Odoo & Co Login$/);
    expect(parseError(() => decodeMethodResponse(pages[2]!)).message).toMatch(/HTML page \(no <title>\)$/);
    expect(parseError(() => decodeMethodCall(pages[0]!)).message).toMatch(/expected an XML-RPC request but got an HTML page/);
  });

  it('masks string values in the snippet of a bad request (they hold passwords)', () => {
    const body = encodeMethodCall('execute_kw', ['odoo', 2, 'S3cret-Key', 'res.partner']).replace('</methodCall>', '');
    const err = parseError(() => decodeMethodCall(body));
    expect(err.truncated).toBe(true);
    expect(err.snippet).not.toContain('S3cret');
    expect(err.snippet).toContain('<methodName>execute_kw</methodName>');
  });
});

describe('hostile and large input', () => {
  it('refuses deep nesting cleanly instead of overflowing the stack', () => {
    const depth = 100_000;
    const deep = response('<value><array><data>'.repeat(depth) + '</data></array></value>'.repeat(depth));
    const err = parseError(() => decodeMethodResponse(deep));
    expect(err.message).toMatch(/nested deeper than 256 levels/);
    const deepStruct = response('<value><struct><member><name>a</name>'.repeat(1000) + '<value/>' + '</member></struct></value>'.repeat(1000));
    expect(parseError(() => decodeMethodResponse(deepStruct)).message).toMatch(/nested deeper than 256/);
    // Unclosed deep nesting is a truncation.
    expect(parseError(() => decodeMethodResponse('<methodResponse><params><param>' + '<value><array><data>'.repeat(100))).truncated).toBe(true);
  });

  it('accepts 256 levels', () => {
    let v: XmlRpcValue = 'leaf';
    for (let i = 0; i < 255; i++) v = [v];
    expect(roundTrip(v)).toEqual(v);
  });

  it('refuses deep or recursive values when encoding', () => {
    let v: unknown[] = [];
    const root = v;
    for (let i = 0; i < 10_000; i++) {
      const next: unknown[] = [];
      v.push(next);
      v = next;
    }
    expect(() => encodeMethodResponse(root)).toThrow(/nested deeper than 256/);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(() => encodeMethodCall('m', [cyclic])).toThrow(/recursive/);
    // The same object twice (not a cycle) is fine.
    const shared = { x: 1 };
    expect(roundTrip([shared, shared])).toEqual([{ x: 1 }, { x: 1 }]);
  });

  it('refuses values XML-RPC cannot represent', () => {
    expect(() => encodeMethodResponse(new Map([[1, 2]]))).toThrow(/struct keys must be strings/);
    expect(() => encodeMethodResponse(new Set([1]))).toThrow(/cannot marshal Set objects/);
    expect(() => encodeMethodCall('m', [() => 1])).toThrow(/cannot marshal function/);
    expect(() => encodeMethodCall('m', [Symbol('s')])).toThrow(/cannot marshal symbol/);
    expect(() => encodeMethodCall('m', [new Date(NaN)])).toThrow(/invalid Date/);
    expect(() => encodeMethodCall('', [])).toThrow(TypeError);
  });

  it('decodes a ~2 MB search_read response', () => {
    const records = Array.from({ length: 5000 }, (_, i) => ({
      id: i + 1,
      name: `Partner ${i} & Sons <ltd>`,
      email: `partner${i}@example.com`,
      active: i % 3 !== 0,
      credit_limit: new XmlRpcDouble(i * 2.5),
      country_id: [233, 'United States'],
      category_id: [1, 2, 3],
      comment: false,
    }));
    const xml = encodeMethodResponse(records);
    expect(xml.length).toBeGreaterThan(2_000_000);
    const value = result(xml) as Record<string, XmlRpcValue>[];
    expect(value).toHaveLength(5000);
    expect(value[4999]).toEqual({
      id: 5000,
      name: 'Partner 4999 & Sons <ltd>',
      email: 'partner4999@example.com',
      active: true,
      credit_limit: 12497.5,
      country_id: [233, 'United States'],
      category_id: [1, 2, 3],
      comment: false,
    });
  });
});
