/** The metric table of an eval report, as `likeness eval` prints it and summary.md holds it. */
import type { EvalReport, RegionMetrics } from "./schema.js";

const fixed = (v: number | null, digits: number, unit = ""): string => (v === null ? "n/a" : `${v.toFixed(digits)}${unit}`);
/** Small numbers (the leak) in exponent form, 3 significant digits. */
const small = (v: number | null): string => (v === null ? "n/a" : v === 0 ? "0" : v.toExponential(2));

function region(r: RegionMetrics | null): string {
  if (!r) return "n/a (no mask)";
  return `${fixed(r.psnrDb, 2, " dB")}, L1 ${fixed(r.l1, 4)}`;
}

/** The report's numbers as (metric, value) rows, in print order. */
export function evalTableRows(report: EvalReport): [string, string][] {
  const { means, counts, settings } = report;
  const framesText = `${counts.framesEvaluated} of ${counts.framesInSplit} ${report.onTrainingFrames ? "TRAINING frames (not held out)" : "held-out frames"}`;
  const rows: [string, string][] = [
    ["frames", framesText],
    ["PSNR", fixed(means.psnrDb, 2, " dB")],
    ["SSIM", fixed(means.ssim, 4)],
    ["L1", fixed(means.l1, 4)],
    ["face", region(means.regions.face)],
    ["mouth", region(means.regions.mouth)],
    ["eyes", region(means.regions.eyes)],
    ["background", region(means.regions.background)],
  ];
  if (settings.retrack) {
    const both = counts.landmarksBoth;
    rows.push(
      ["landmark distance", both ? `${fixed(means.landmarkDistancePx, 2, " px")} (${fixed(means.landmarkFaceFraction === null ? null : 100 * means.landmarkFaceFraction, 2, "% of face box")})` : "n/a (no frame with a face in both)"],
      ["re-tracked faces", `${both} both, ${counts.landmarksNoFaceInRender} none in render, ${counts.landmarksNoFaceInTruth} none in truth, ${counts.landmarksNoFaceInEither} none in either`],
    );
  } else {
    rows.push(["landmark distance", "not measured (--no-retrack)"]);
  }
  rows.push(
    ["prior leak outside face", `L1 ${small(means.leakOutsideFaceL1)} (background ${small(means.leakBackgroundL1)}; inside face ${small(means.leakInsideFaceL1)}; ${settings.leakFrames} frame${settings.leakFrames === 1 ? "" : "s"})`],
    ["render time", `${report.renderSecondsPerFrame.toFixed(2)} s/frame`],
  );
  return rows;
}

/** The report's numbers as an aligned two-column text table (metric, value), one line per row, for the console. */
export function formatEvalTable(report: EvalReport): string {
  const rows = evalTableRows(report);
  const width = Math.max("metric".length, ...rows.map(([m]) => m.length));
  const lines = [`${"metric".padEnd(width)}  value`, `${"-".repeat(width)}  -----`];
  for (const [metric, value] of rows) lines.push(`${metric.padEnd(width)}  ${value}`);
  return lines.join("\n");
}

/** The report's numbers as a markdown table, with a heading naming the avatar and dataset. */
export function formatEvalMarkdown(report: EvalReport): string {
  const cell = (s: string): string => s.replace(/\|/g, "\\|");
  const lines = [
    `# Evaluation of ${report.avatarPath}`,
    "",
    `Dataset ${report.datasetPath} ('${report.datasetName}'), split '${report.split}'${report.onTrainingFrames ? " (TRAINING frames, not held out)" : ""}; avatar trained on '${report.avatarDataset}' for ${report.trainedSteps} steps.`,
    "",
    "| metric | value |",
    "| --- | --- |",
    ...evalTableRows(report).map(([m, v]) => `| ${cell(m)} | ${cell(v)} |`),
    "",
  ];
  return lines.join("\n");
}
