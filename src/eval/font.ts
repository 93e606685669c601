// A 5x7 bitmap font, so plots need no canvas or font library. Each glyph is seven
// rows, top to bottom, as two hex digits each: bit 4 is the leftmost column.
const GLYPH_HEX: Record<string, string> = {
  " ": "00000000000000", "0": "0e11131519110e", "1": "040c040404040e", "2": "0e11010204081f", "3": "1f02040201110e",
  "4": "02060a121f0202", "5": "1f101e0101110e", "6": "0608101e11110e", "7": "1f010204080808", "8": "0e11110e11110e",
  "9": "0e11110f01020c", A: "0e11111f111111", B: "1e11111e11111e", C: "0e11101010110e", D: "1c12111111121c",
  E: "1f10101e10101f", F: "1f10101e101010", G: "0e11101711110f", H: "1111111f111111", I: "0e04040404040e",
  J: "0702020202120c", K: "11121418141211", L: "1010101010101f", M: "111b1515111111", N: "11111915131111",
  O: "0e11111111110e", P: "1e11111e101010", Q: "0e11111115120d", R: "1e11111e141211", S: "0f10100e01011e",
  T: "1f040404040404", U: "1111111111110e", V: "11111111110a04", W: "1111111515150a", X: "11110a040a1111",
  Y: "1111110a040404", Z: "1f01020408101f", a: "00000e010f110f", b: "1010161911111e", c: "00000e1010110e",
  d: "01010d1311110f", e: "00000e111f100e", f: "0609081c080808", g: "000f11110f010e", h: "10101619111111",
  i: "04000c0404040e", j: "0200060202120c", k: "10101214181412", l: "0c04040404040e", m: "00001a15151111",
  n: "00001619111111", o: "00000e1111110e", p: "00001e111e1010", q: "00000d130f0101", r: "00001619101010",
  s: "00000e100e011e", t: "08081c08080906", u: "0000111111130d", v: "00001111110a04", w: "0000111115150a",
  x: "0000110a040a11", y: "000011110f010e", z: "00001f0204081f", ".": "00000000000c0c", ",": "000000000c0408",
  "-": "0000000e000000", "+": "0004041f040400", ":": "000c0c000c0c00", "/": "00010204081000", "(": "02040808080402",
  ")": "08040202020408", "%": "18190204081303", _: "0000000000001f", "=": "00001f001f0000", "[": "0e08080808080e",
  "]": "0e02020202020e", "*": "0004150e150400", "#": "0a0a1f0a1f0a0a", "?": "0e110102040004", "!": "04040404040004",
  "<": "02040810080402", ">": "08040201020408", "'": "04040800000000", '"': "0a0a0000000000", "|": "04040404040404",
  "^": "040a1100000000",
};

/** Glyph height in font pixels. */
export const GLYPH_HEIGHT = 7;
/** Glyph width in font pixels. */
export const GLYPH_WIDTH = 5;
/** Horizontal advance per character in font pixels (glyph plus one column of space). */
export const GLYPH_ADVANCE = 6;

const GLYPHS = new Map<string, Uint8Array>(
  Object.entries(GLYPH_HEX).map(([ch, hex]) => [ch, Uint8Array.from({ length: GLYPH_HEIGHT }, (_, r) => parseInt(hex.slice(2 * r, 2 * r + 2), 16))]),
);

/** The seven row bitmasks of `ch` (bit 4 leftmost); '?' for characters the font lacks. */
export function glyphRows(ch: string): Uint8Array {
  return GLYPHS.get(ch) ?? GLYPHS.get("?")!;
}

/** Width in output pixels of `text` drawn at integer `scale` (no trailing space column). */
export function textWidthPx(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * GLYPH_ADVANCE - 1) * scale;
}

/** Height in output pixels of one line of text at integer `scale`. */
export function textHeightPx(scale = 1): number {
  return GLYPH_HEIGHT * scale;
}
