// A value read from a file, as it may appear in a one-line error message: plain names as they
// are; anything else (spaces, control characters, other types) JSON-quoted so it cannot break
// the line; long ones cut to 60 characters.

export function messageValue(x: unknown): string {
  const s = typeof x === 'string' && /^[\x21-\x7e]*$/.test(x) && x !== '' ? x : (JSON.stringify(x) ?? String(x));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
