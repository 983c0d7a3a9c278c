/**
 * PromQL string literals: decoding with the escapes Prometheus' own lexer accepts, and a canonical
 * double-quoted encoding. The rewriter re-emits every string it forwards in canonical form so that
 * the text Prometheus parses is exactly what the console's parser understood (no lexer
 * differentials around unterminated or oddly escaped strings).
 *
 * @module
 */

/** Thrown when a string literal is not one Prometheus would accept. */
export class StringLiteralError extends Error {
  /** Creates the error with a short reason. */
  constructor(message: string) {
    super(message);
    this.name = "StringLiteralError";
  }
}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  "\\": 0x5c,
};

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * Decodes a PromQL string literal (`"…"`, `'…'` or `` `…` ``) into its value.
 * Escapes follow Go's string literal rules, which Prometheus' lexer uses: `\a \b \f \n \r \t \v
 * \\`, the literal's own quote, `\NNN` (octal), `\xHH`, `\uHHHH`, `\UHHHHHHHH`. Raw (backtick)
 * strings have no escapes. The result must be valid UTF-8.
 *
 * @example
 * ```ts
 * decodeStringLiteral(`"tenant\\x5fid"`); // "tenant_id"
 * ```
 * @throws {StringLiteralError} unterminated literal, unknown escape, invalid UTF-8.
 */
export function decodeStringLiteral(raw: string): string {
  const quote = raw[0];
  if (raw.length < 2 || raw[raw.length - 1] !== quote) {
    throw new StringLiteralError("unterminated string literal");
  }
  const body = raw.slice(1, -1);
  if (quote === "`") {
    if (body.includes("`")) throw new StringLiteralError("malformed raw string literal");
    return checkUtf8(utf8Encoder.encode(body));
  }
  if (quote !== '"' && quote !== "'") throw new StringLiteralError("not a string literal");
  const bytes: number[] = [];
  const push = (s: string) => {
    for (const b of utf8Encoder.encode(s)) bytes.push(b);
  };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === "\n") throw new StringLiteralError("newline in string literal");
    if (ch === quote) throw new StringLiteralError("unescaped quote in string literal");
    if (ch !== "\\") {
      // Copy a whole code point (surrogate pairs included).
      const cp = body.codePointAt(i)!;
      const s = String.fromCodePoint(cp);
      push(s);
      i += s.length - 1;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new StringLiteralError("string literal ends in a backslash");
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      bytes.push(simple);
    } else if (e === quote) {
      bytes.push(e.charCodeAt(0));
    } else if (e >= "0" && e <= "7") {
      const digits = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(digits)) throw new StringLiteralError("bad octal escape");
      const v = parseInt(digits, 8);
      if (v > 255) throw new StringLiteralError("octal escape out of range");
      bytes.push(v);
      i += 2;
    } else if (e === "x" || e === "u" || e === "U") {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8;
      const digits = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) {
        throw new StringLiteralError(`bad \\${e} escape`);
      }
      const v = parseInt(digits, 16);
      if (e === "x") {
        bytes.push(v);
      } else {
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
          throw new StringLiteralError(`\\${e} escape is not a valid code point`);
        }
        push(String.fromCodePoint(v));
      }
      i += n;
    } else {
      throw new StringLiteralError(`unknown escape sequence \\${e}`);
    }
  }
  return checkUtf8(Uint8Array.from(bytes));
}

function checkUtf8(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new StringLiteralError("string literal is not valid UTF-8");
  }
}

/**
 * Encodes a value as a canonical double-quoted PromQL string: `\` and `"` escaped, control
 * characters as `\u00XX`, everything else verbatim (UTF-8 is valid inside PromQL strings).
 *
 * @example
 * ```ts
 * quotePromQLString('a"b'); // "\"a\\\"b\""
 * ```
 */
export function quotePromQLString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === "\\" || ch === '"') out += "\\" + ch;
    else if (cp < 0x20 || cp === 0x7f) out += "\\u" + cp.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}
