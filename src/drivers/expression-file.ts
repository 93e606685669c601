import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { HeadPoseSchema, jsonErrorLocation } from "../data/index.js";
import type { Drive, DriveFrame } from "./drive.js";
import { DriveError } from "./error.js";
import { EXPRESSION_NAMES, expressionIndexMap, listExpressionNames, scatterExpression } from "./expression-vector.js";

const finite = () => z.number().finite();

/** One frame of an expression file. */
export const ExpressionFileFrameSchema = z
  .strictObject({
    expression: z
      .union([
        z.record(z.string(), finite()).describe("parameters by name (the face model's expression names); names left out are 0"),
        z.array(finite()).describe(`every parameter in the face model's order (${EXPRESSION_NAMES.length} numbers)`),
      ])
      .describe("the face-model expression of this frame"),
    headPose: HeadPoseSchema.optional().describe("model-to-world head pose of this frame; default the avatar's reference pose"),
  })
  .describe("one frame of an expression file");

/**
 * An expression file: a JSON object `{ "fps": 30, "frames": [...] }` whose frames
 * each hold an `expression`, either an object by parameter name (for example
 * `{ "jawOpen": 0.8, "blinkLeft": 1 }`, missing names are 0) or an array of all
 * the face model's expression parameters in order, and optionally a `headPose`
 * (`{ "rotationAxisAngle": [x, y, z] (radians), "translation": [x, y, z] (metres) }`).
 */
export const ExpressionFileSchema = z
  .strictObject({
    fps: z.number().positive().finite().describe("frames per second the frames play at"),
    frames: z.array(ExpressionFileFrameSchema).min(1).describe("the frames, in time order"),
  })
  .describe("a file of expression vectors that drives an avatar");

/** The parsed contents of an expression file (see {@link ExpressionFileSchema}). */
export type ExpressionFile = z.output<typeof ExpressionFileSchema>;

/** A short description of the expression-file format, for `--help` texts. */
export const EXPRESSION_FILE_HELP = `An expression file is JSON: { "fps": 30, "frames": [ { "expression": { "jawOpen": 0.8 } }, ... ] }.
Each frame's "expression" is either an object by parameter name (names left out are 0)
or an array of all ${EXPRESSION_NAMES.length} parameters in order; an optional "headPose"
{ "rotationAxisAngle": [x, y, z] (radians), "translation": [x, y, z] (metres) } sets the pose.
Expression names: ${listExpressionNames()}.`;

/** A JSON path such as `frames[3].expression.jawOpen`. */
function jsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) out += typeof key === "number" ? `[${key}]` : `${out ? "." : ""}${String(key)}`;
  return out || "(root)";
}

/**
 * Parses the text of an expression file into a drive (no audio, cameras null,
 * head poses null where the file gives none; frame i at time i / fps).
 * `file` names it in errors; throws {@link DriveError} with the JSON path of the problem.
 */
export function parseExpressionFile(text: string, file: string): Drive {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DriveError(`${file}: malformed JSON${jsonErrorLocation(text, (e as Error).message)}`);
  }
  const parsed = ExpressionFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DriveError(`${file}: ${jsonPath(issue.path)}: ${issue.message}`);
  }
  const { fps, frames } = parsed.data;
  const driveFrames = frames.map((f, i): DriveFrame => {
    const where = `frames[${i}].expression`;
    let expression: Float32Array;
    if (Array.isArray(f.expression)) {
      if (f.expression.length !== EXPRESSION_NAMES.length) {
        throw new DriveError(`${file}: ${where}: has ${f.expression.length} numbers, the face model has ${EXPRESSION_NAMES.length} expression parameters`);
      }
      expression = Float32Array.from(f.expression);
    } else {
      const named = f.expression;
      const names = Object.keys(named);
      const map = expressionIndexMap(names);
      if ("unknown" in map) throw new DriveError(`${file}: ${where}.${map.unknown}: unknown expression parameter; valid names: ${listExpressionNames()}`);
      expression = scatterExpression(names.map((n) => named[n]), map.indices);
    }
    return { timeSeconds: i / fps, expression, headPose: f.headPose ?? null, camera: null };
  });
  return { description: `expressions ${file}`, fps, frames: driveFrames, audio: null };
}

/** Reads an expression file (see {@link ExpressionFileSchema}) into a drive; errors name the file. */
export function readExpressionFile(path: string): Drive {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DriveError(`${file}: ${code === "ENOENT" ? "no such expression file" : `cannot read (${code ?? (e as Error).message})`}`);
  }
  return parseExpressionFile(text, file);
}
