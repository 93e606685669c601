/** Reads a `report.json` written by `likeness eval`. */
import { readFileSync } from "node:fs";
import { describeSchemaError } from "../../data/index.js";
import { EvalError } from "../error.js";
import { EvalReportSchema, type EvalReport } from "./schema.js";

/** Reads and validates an eval report file; throws {@link EvalError} naming the file and the problem. */
export function readEvalReport(path: string): EvalReport {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new EvalError(`${path}: cannot read the report (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EvalError(`${path}: not JSON (${(e as Error).message})`);
  }
  const parsed = EvalReportSchema.safeParse(json);
  if (!parsed.success) throw new EvalError(`${path}: ${describeSchemaError(parsed.error)}`);
  return parsed.data;
}
