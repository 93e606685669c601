import sharp, { type OverlayOptions } from "sharp";
import { renameSync, rmSync } from "node:fs";

/** One image of a contact sheet: packed 8-bit RGB, with an optional caption. */
export interface ContactTile {
  rgb: Uint8Array;
  widthPx: number;
  heightPx: number;
  label?: string;
}

/** Escapes text for an SVG text node. */
function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] ?? c);
}

/**
 * Writes a grid of images as one PNG, `columns` wide, each cell the size of the
 * largest tile plus a caption strip, on a dark background. Written to a temporary
 * name and renamed, so `outPath` is never half-written.
 */
export async function writeContactSheet(options: { tiles: readonly ContactTile[]; columns: number; outPath: string; title?: string }): Promise<void> {
  const { tiles, columns, outPath, title } = options;
  if (tiles.length === 0) throw new Error(`writeContactSheet: no tiles for ${outPath}`);
  const cellW = Math.max(...tiles.map((t) => t.widthPx));
  const cellH = Math.max(...tiles.map((t) => t.heightPx));
  const captionH = tiles.some((t) => t.label) ? 18 : 0;
  const titleH = title ? 28 : 0;
  const rows = Math.ceil(tiles.length / columns);
  const width = columns * cellW;
  const height = titleH + rows * (cellH + captionH);
  const layers: OverlayOptions[] = [];
  const svgText: string[] = [];
  if (title) svgText.push(`<text x="8" y="20" font-family="sans-serif" font-size="16" fill="#eee">${escapeXml(title)}</text>`);
  tiles.forEach((t, i) => {
    if (t.rgb.length !== t.widthPx * t.heightPx * 3) {
      throw new Error(`writeContactSheet: tile ${i} has ${t.rgb.length} bytes, expected ${t.widthPx}x${t.heightPx}x3`);
    }
    const left = (i % columns) * cellW;
    const top = titleH + Math.floor(i / columns) * (cellH + captionH);
    layers.push({ input: Buffer.from(t.rgb.buffer, t.rgb.byteOffset, t.rgb.byteLength), raw: { width: t.widthPx, height: t.heightPx, channels: 3 }, left, top });
    if (t.label) {
      svgText.push(`<text x="${left + 4}" y="${top + cellH + 13}" font-family="sans-serif" font-size="11" fill="#ccc">${escapeXml(t.label)}</text>`);
    }
  });
  if (svgText.length) {
    layers.push({ input: Buffer.from(`<svg width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${svgText.join("")}</svg>`), left: 0, top: 0 });
  }
  const tmp = `${outPath}.tmp-${process.pid}.png`;
  try {
    await sharp({ create: { width, height, channels: 3, background: "#202020" } }).composite(layers).png().toFile(tmp);
    renameSync(tmp, outPath);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
