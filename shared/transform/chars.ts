// Character classes the linear redaction scans test one char code at a time.

/** A-Z, a-z or 0-9. */
export function isAsciiAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

/**
 * A character of standard base64, padding included: what a PEM body line is made of.
 *
 * @example
 * isBase64Char('+'.charCodeAt(0)) // true
 */
export function isBase64Char(c: number): boolean {
  return isAsciiAlnum(c) || c === 0x2b || c === 0x2f || c === 0x3d;
}
