import { EvalError } from "./error.js";
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows } from "./font.js";

/** An 8-bit RGB colour, each channel 0..255. */
export type RgbColor = readonly [number, number, number];

/** Parses `#rrggbb` (or passes an {@link RgbColor} through). */
export function parseColor(color: string | RgbColor): RgbColor {
  if (typeof color !== "string") return color;
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) throw new EvalError(`parseColor: expected a colour like #1f77b4, got ${JSON.stringify(color)}`);
  const v = parseInt(m[1], 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/**
 * A packed 8-bit RGB image (`[heightPx * widthPx * 3]`, row-major, y down) with the
 * few drawing primitives plots need; every primitive clips to the image (or to an
 * optional clip rectangle).
 */
export class RgbCanvas {
  readonly rgb: Uint8Array;
  /** Drawing is limited to this rectangle, inclusive: [left, top, right, bottom] in pixels. */
  clip: [number, number, number, number];

  constructor(readonly widthPx: number, readonly heightPx: number, background: RgbColor = [255, 255, 255]) {
    if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1) {
      throw new EvalError(`RgbCanvas: size must be positive integers, got ${widthPx}x${heightPx}`);
    }
    this.rgb = new Uint8Array(widthPx * heightPx * 3);
    for (let i = 0; i < widthPx * heightPx; i++) this.rgb.set(background, i * 3);
    this.clip = [0, 0, widthPx - 1, heightPx - 1];
  }

  /** Sets pixel (x, y) if it lies inside the clip rectangle. */
  setPixel(x: number, y: number, color: RgbColor): void {
    const [l, t, r, b] = this.clip;
    if (x < l || x > r || y < t || y > b) return;
    this.rgb.set(color, (y * this.widthPx + x) * 3);
  }

  /** The colour of pixel (x, y). */
  getPixel(x: number, y: number): RgbColor {
    const o = (y * this.widthPx + x) * 3;
    return [this.rgb[o], this.rgb[o + 1], this.rgb[o + 2]];
  }

  /** Fills the rectangle from (x0, y0) to (x1, y1), inclusive. */
  fillRect(x0: number, y0: number, x1: number, y1: number, color: RgbColor): void {
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) this.setPixel(x, y, color);
  }

  /** Outlines the rectangle from (x0, y0) to (x1, y1), inclusive, one pixel wide. */
  strokeRect(x0: number, y0: number, x1: number, y1: number, color: RgbColor): void {
    this.fillRect(x0, y0, x1, y0, color);
    this.fillRect(x0, y1, x1, y1, color);
    this.fillRect(x0, y0, x0, y1, color);
    this.fillRect(x1, y0, x1, y1, color);
  }

  /**
   * Draws a straight line between integer pixel centres (Bresenham), stamping a
   * `widthPx` square at each step (offsets `-floor((w-1)/2) .. ceil((w-1)/2)`).
   */
  drawLine(x0: number, y0: number, x1: number, y1: number, color: RgbColor, widthPx = 1): void {
    const lo = -Math.floor((widthPx - 1) / 2);
    const hi = lo + widthPx - 1;
    const stamp = (x: number, y: number): void => {
      for (let dy = lo; dy <= hi; dy++) for (let dx = lo; dx <= hi; dx++) this.setPixel(x + dx, y + dy, color);
    };
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    let x = x0;
    let y = y0;
    for (;;) {
      stamp(x, y);
      if (x === x1 && y === y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) { err += dy; x += sx; }
      if (e2 <= dx) { err += dx; y += sy; }
    }
  }

  /**
   * Draws `text` with the built-in 5x7 font, its top-left corner at (x, y), each font
   * pixel a `scale` x `scale` block. With `vertical`, the text runs bottom to top
   * (rotated a quarter turn anticlockwise) and (x, y) is its bottom-left corner.
   */
  drawText(text: string, x: number, y: number, color: RgbColor, options: { scale?: number; vertical?: boolean } = {}): void {
    const { scale = 1, vertical = false } = options;
    for (let i = 0; i < text.length; i++) {
      const rows = glyphRows(text[i]);
      for (let r = 0; r < GLYPH_HEIGHT; r++) {
        for (let c = 0; c < GLYPH_WIDTH; c++) {
          if (!((rows[r] >> (GLYPH_WIDTH - 1 - c)) & 1)) continue;
          const u = (i * GLYPH_ADVANCE + c) * scale; // along the text
          const v = r * scale; // across, from the glyph top
          for (let sy = 0; sy < scale; sy++) {
            for (let sx = 0; sx < scale; sx++) {
              if (vertical) this.setPixel(x + v + sy, y - u - sx, color);
              else this.setPixel(x + u + sx, y + v + sy, color);
            }
          }
        }
      }
    }
  }
}
