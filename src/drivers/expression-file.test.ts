import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DriveError, EXPRESSION_NAMES, parseExpressionFile, readExpressionFile } from "./index.js";

const write = (text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), "likeness-expr-")), "drive.json");
  writeFileSync(path, text);
  return path;
};

describe("expression files", () => {
  it("reads expressions by name and as full arrays, with optional head poses", () => {
    const full = EXPRESSION_NAMES.map((_, i) => i / 100);
    const path = write(JSON.stringify({
      fps: 25,
      frames: [
        { expression: { jawOpen: 0.8, blinkLeft: 1 } },
        { expression: full, headPose: { rotationAxisAngle: [0, 0.1, 0], translation: [0, 0, 0.5] } },
      ],
    }));
    const drive = readExpressionFile(path);
    expect(drive.fps).toBe(25);
    expect(drive.audio).toBeNull();
    expect(drive.frames.map((f) => f.timeSeconds)).toEqual([0, 1 / 25]);
    const first = drive.frames[0].expression;
    expect(first.length).toBe(EXPRESSION_NAMES.length);
    expect(first[EXPRESSION_NAMES.indexOf("jawOpen")]).toBeCloseTo(0.8, 6);
    expect(first[EXPRESSION_NAMES.indexOf("blinkLeft")]).toBe(1);
    expect(Array.from(first).filter((v) => v !== 0).length).toBe(2);
    expect(Array.from(drive.frames[1].expression)).toEqual(Array.from(Float32Array.from(full)));
    expect(drive.frames[0].headPose).toBeNull();
    expect(drive.frames[1].headPose).toEqual({ rotationAxisAngle: [0, 0.1, 0], translation: [0, 0, 0.5] });
    expect(drive.frames.every((f) => f.camera === null)).toBe(true);
  });

  it("names the file and the JSON path in errors", () => {
    const fail = (value: unknown, pattern: RegExp): void => {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      expect(() => parseExpressionFile(text, "f.json")).toThrow(DriveError);
      expect(() => parseExpressionFile(text, "f.json")).toThrow(pattern);
    };
    fail({ fps: 30, frames: [{ expression: {} }, { expression: { jawOpn: 1 } }] }, /^f\.json: frames\[1\]\.expression\.jawOpn: unknown expression parameter; valid names: .*jawOpen/);
    fail({ fps: 30, frames: [{ expression: [1, 2, 3] }] }, /^f\.json: frames\[0\]\.expression: has 3 numbers, the face model has 21/);
    fail('{ "fps": 30\n  "frames": [] }', /^f\.json: malformed JSON at line 2, column 3 \(Expected ',' or '}' after property value\)$/);
    fail('{ "fps": 30, "frames": [ }', /^f\.json: malformed JSON \(/);
    fail({ fps: 30, frames: [] }, /^f\.json: frames: /);
    fail({ fps: 30, frames: [{ expression: {}, extra: 1 }] }, /^f\.json: frames\[0\]: .*extra/);
    fail({ frames: [{ expression: {} }] }, /^f\.json: fps: /);
  });

  it("says when the file is missing", () => {
    expect(() => readExpressionFile("/nonexistent/drive.json")).toThrow(/^\/nonexistent\/drive\.json: no such expression file$/);
  });
});
