import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DatasetSchema, LANDMARK_COUNT, describeSchemaError, type DatasetInput } from "./dataset.js";
import { tinyManifest } from "./testing/tiny-dataset.js";

/** The one-line message the loader would give for `manifest`, or "" if it is valid. */
function problems(manifest: unknown): string {
  const parsed = DatasetSchema.safeParse(manifest);
  return parsed.success ? "" : describeSchemaError(parsed.error);
}

function withFrame0(change: (frame: Record<string, unknown>) => void): DatasetInput {
  const m = tinyManifest();
  change(m.frames[0] as Record<string, unknown>);
  return m;
}

describe("DatasetSchema", () => {
  it("accepts the tiny manifest and fills in defaults", () => {
    const d = DatasetSchema.parse(tinyManifest());
    expect(d.faceModel.name).toBe("likeness-face");
    // The dome frames leave tracked and split out.
    const dome = d.frames.find((f) => f.cameraId === "dome-0");
    expect(dome?.tracked).toBe(true);
    expect(dome?.split).toBe("train");
    expect(d.audio?.offsetSeconds).toBe(0.25);
    expect(DatasetSchema.parse({ ...tinyManifest(), audio: { path: "a.wav", sampleRate: 8000 } }).audio?.offsetSeconds).toBe(0);
  });

  it("rejects a typo'd field anywhere (strict objects)", () => {
    expect(problems({ ...tinyManifest(), camera: [] })).toMatch(/\(top level\): Unrecognized key: "camera"/);
    expect(problems(withFrame0((f) => (f.expresion = [0, 0])))).toMatch(/^frames\[0\]: Unrecognized key: "expresion"/);
    const m = tinyManifest();
    (m.cameras[0].worldToCamera as Record<string, unknown>).translaton = [0, 0, 0];
    expect(problems(m)).toMatch(/cameras\[0\]\.worldToCamera: Unrecognized key: "translaton"/);
  });

  it("checks cross-field facts", () => {
    expect(problems(withFrame0((f) => (f.cameraId = "side")))).toMatch(/frames\[0\]\.cameraId: camera "side" is not in cameras/);
    expect(problems(withFrame0((f) => (f.expression = [1, 2, 3])))).toMatch(
      /frames\[0\]\.expression: has 3 values but faceModel.expressionNames has 2/,
    );
    expect(problems(withFrame0((f) => (f.index = 1)))).toMatch(/frame index 1 from camera "front" appears twice \(frames\[0\] and frames\[2\]\)/);
    expect(problems(withFrame0((f) => (f.timeSeconds = 5)))).toMatch(/frame index 0 has two times/);
    expect(problems({ ...tinyManifest(), frames: [] })).toMatch(/^frames: Too small/);
    expect(problems({ ...tinyManifest(), identity: [1, 2] })).toMatch(/identity: has 2 values but faceModel.identityNames has 1/);
    const m = tinyManifest();
    m.cameras[1].id = "front";
    expect(problems(m)).toMatch(/cameras\[1\]\.id: duplicate camera id "front"/);
  });

  it("ties tracking to landmarks, expression and pose", () => {
    expect(problems(withFrame0((f) => (f.landmarks2d = null)))).toMatch(/frames\[0\]\.landmarks2d: is null but the frame is tracked/);
    expect(problems(withFrame0((f) => (f.expression = null)))).toMatch(/frames\[0\]\.expression: is null but the frame is tracked/);
    expect(problems(withFrame0((f) => (f.tracked = false)))).toMatch(/frames\[0\]\.landmarks2d: must be null when tracked is false/);
    // Absent landmarks (a source without any) are fine on a tracked frame.
    expect(problems(withFrame0((f) => delete f.landmarks2d))).toBe("");
    expect(problems(withFrame0((f) => (f.landmarks2d = [[0, 0]])))).toMatch(
      new RegExp(`frames\\[0\\]\\.landmarks2d: Too small: expected array to have exactly ${LANDMARK_COUNT} items`),
    );
  });

  it("rejects bad values with the path of the offending field", () => {
    const m = tinyManifest();
    m.cameras[0].worldToCamera.rotation = [2, 0, 0, 0, 1, 0, 0, 0, 1];
    expect(problems(m)).toMatch(/cameras\[0\]\.worldToCamera\.rotation: is not a rotation/);
    expect(problems(withFrame0((f) => (f.image = "../outside.png")))).toMatch(/frames\[0\]\.image: image must stay inside the dataset folder/);
    expect(problems(withFrame0((f) => (f.image = "/abs/frame.png")))).toMatch(/frames\[0\]\.image: image must be a relative path/);
    expect(problems(withFrame0((f) => (f.image = "frames/0.jpg")))).toMatch(/frames\[0\]\.image: image must be a \.png file/);
    expect(problems(withFrame0((f) => (f.split = "test")))).toMatch(/frames\[0\]\.split: Invalid option/);
    expect(problems(withFrame0((f) => (f.lighting = { shCoefficients: [[1, 1, 1], [0, 0, 0]] })))).toMatch(
      /frames\[0\]\.lighting\.shCoefficients: needs \(order\+1\)\^2 coefficients/,
    );
    expect(problems({ ...tinyManifest(), source: { kind: "webcam" } })).toMatch(/^source\.kind: Invalid discriminator value/);
    expect(problems({ ...tinyManifest(), fps: 0 })).toMatch(/^fps: Too small/);
  });

  it("describes every field", () => {
    // Walk the JSON schema zod derives: every property has a description.
    const json = JSON.stringify(z.toJSONSchema(DatasetSchema, { io: "input" }));
    const undescribed: string[] = [];
    let described = 0;
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== "object" || node === null) return;
      const n = node as { properties?: Record<string, { description?: string }> };
      for (const [key, child] of Object.entries(n.properties ?? {})) {
        if (child.description) described++;
        else undescribed.push(`${path}.${key}`);
      }
      for (const [key, child] of Object.entries(node)) walk(child, `${path}.${key}`);
    };
    walk(JSON.parse(json), "$");
    expect(undescribed).toEqual([]);
    expect(described).toBeGreaterThan(40);
  });

  it("accepts the example in docs/dataset-format.md (landmarks left out)", () => {
    const doc = readFileSync(resolve(import.meta.dirname, "../../docs/dataset-format.md"), "utf8");
    const block = /```json\n([\s\S]*?)```/.exec(doc);
    const example = JSON.parse(block?.[1] ?? "null") as { frames: Record<string, unknown>[] };
    delete example.frames[0].landmarks2d;
    expect(problems(example)).toBe("");
  });
});
