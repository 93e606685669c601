/**
 * " at line L, column C (what)" for V8's "... in JSON at position N" parse
 * error of `text`, or " (message)" when the message has no position: the tail of
 * a one-line "malformed JSON" error that names the place.
 */
export function jsonErrorLocation(text: string, message: string): string {
  const match = /at position (\d+)/.exec(message);
  if (!match) return ` (${message})`;
  const position = Number(match[1]);
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return ` at line ${line}, column ${column} (${message.replace(/ in JSON at position \d+.*$/s, "")})`;
}
