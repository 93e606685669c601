/** Writes an eval report folder: numbers, contact sheet, heat maps, training curves and a summary. */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../../core/index.js";
import { describeSchemaError } from "../../data/index.js";
import { EvalError } from "../error.js";
import { writePng } from "../png.js";
import type { EvalRenders } from "./evaluate-avatar.js";
import { spreadEvenly } from "../../train/index.js";
import { formatEvalMarkdown } from "./format-table.js";
import { contactSheetPicture, curvesPicture, heatmapPicture, sharedMaxError } from "./report-images.js";
import { EvalReportSchema, type EvalReport } from "./schema.js";

/** The files of a report folder. */
export const EVAL_REPORT_FILES = {
  /** The numbers ({@link EvalReportSchema}). */
  report: "report.json",
  /** Rows of truth | render | error heat map for a few frames spread over the split. */
  contactSheet: "contact-sheet.png",
  /** Folder of `<frame index, 5 digits>.png` error heat maps with a colour bar, one per evaluated frame. */
  heatmaps: "heatmaps",
  /** Training loss and PSNR per step, validation PSNR. */
  curves: "curves.png",
  /** The metric table in markdown. */
  summary: "summary.md",
} as const;

/** Rows of the contact sheet unless told otherwise. */
export const DEFAULT_CONTACT_ROWS = 6;

/** Options of {@link writeEvalReport}. */
export interface WriteEvalReportOptions {
  /** Replace an existing folder at `outDir`; default false (refuse). */
  overwrite?: boolean;
  /** Frames on the contact sheet, spread over the evaluated ones; default {@link DEFAULT_CONTACT_ROWS}. */
  contactRows?: number;
}

/** The heat map file name of a frame: its dataset index, 5 digits. */
export function heatmapFileName(index: number): string {
  return `${String(index).padStart(5, "0")}.png`;
}

/**
 * Writes the report folder `outDir` ({@link EVAL_REPORT_FILES}): everything is
 * written into a sibling staging folder first and renamed into place at the end,
 * so `outDir` is either the whole report or absent. Refuses an existing `outDir`
 * unless `overwrite`. Heat maps share one colour scale ({@link sharedMaxError}).
 * Returns the folder's absolute path.
 */
export async function writeEvalReport(report: EvalReport, renders: EvalRenders, outDir: string, options: WriteEvalReportOptions = {}): Promise<string> {
  const out = resolve(outDir);
  if (existsSync(out) && !options.overwrite) throw new EvalError(`${out}: already exists; pass --overwrite to replace it`);
  const checked = EvalReportSchema.safeParse(report);
  if (!checked.success) throw new EvalError(`${out}: the report does not match its schema: ${describeSchemaError(checked.error)}`);
  if (renders.frames.length === 0) throw new EvalError(`${out}: no evaluated frames to draw`);
  mkdirSync(dirname(out), { recursive: true });
  const staging = join(dirname(out), `.${basename(out)}.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, EVAL_REPORT_FILES.heatmaps), { recursive: true });
  try {
    writeFileAtomic(join(staging, EVAL_REPORT_FILES.report), JSON.stringify(checked.data, null, 2) + "\n");
    writeFileAtomic(join(staging, EVAL_REPORT_FILES.summary), formatEvalMarkdown(checked.data));
    const maxError = sharedMaxError(renders.frames);
    for (const frame of renders.frames) {
      const heat = heatmapPicture(frame, maxError);
      await writePng(join(staging, EVAL_REPORT_FILES.heatmaps, heatmapFileName(frame.index)), heat.rgb, heat.widthPx, heat.heightPx);
    }
    const psnrByIndex = new Map(report.frames.map((f) => [f.index, f.psnrDb]));
    const sheet = contactSheetPicture(spreadEvenly(renders.frames, options.contactRows ?? DEFAULT_CONTACT_ROWS), psnrByIndex, maxError);
    await writePng(join(staging, EVAL_REPORT_FILES.contactSheet), sheet.rgb, sheet.widthPx, sheet.heightPx);
    const curves = curvesPicture(renders.history);
    await writePng(join(staging, EVAL_REPORT_FILES.curves), curves.rgb, curves.widthPx, curves.heightPx);
    if (existsSync(out)) {
      if (!options.overwrite) throw new EvalError(`${out}: already exists; pass --overwrite to replace it`);
      const old = join(dirname(out), `.${basename(out)}.old-${process.pid}`);
      renameSync(out, old);
      renameSync(staging, out);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(staging, out);
    }
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return out;
}
