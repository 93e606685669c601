import { describe, expect, it } from "vitest";
import { lookAtCamera } from "../../geometry/camera.js";
import { makeUvSphere } from "../../geometry/sphere.js";
import { linearFromHex, linearFromSrgbByte, srgbByteFromLinear, type SubjectAppearance } from "./appearance.js";
import { shFromLights } from "./lighting.js";
import { REGION_FACE, SURFACE_KINDS, renderSynthFrame, type SynthScene } from "./render.js";

const look: SubjectAppearance = {
  skin: linearFromHex("#c89678"),
  skinVariation: 0.5,
  freckles: 0.3,
  lips: linearFromHex("#b05050"),
  hair: linearFromHex("#3a2a20"),
  hairStyle: "short",
  iris: linearFromHex("#4a6a8a"),
  cloth: linearFromHex("#334455"),
  backgroundTop: linearFromHex("#808890"),
  backgroundBottom: linearFromHex("#404448"),
  textureSeed: 3,
};

function sphereScene(kind: (typeof SURFACE_KINDS)[number]): SynthScene {
  const s = makeUvSphere(0.1, 24, 32);
  const numTriangles = s.triangles.length / 3;
  const normals = new Float32Array(s.vertices.length);
  for (let i = 0; i < s.vertices.length; i++) normals[i] = s.vertices[i] / 0.1;
  return {
    verticesWorld: s.vertices,
    normalsWorld: normals,
    verticesTemplate: s.vertices,
    triangles: s.triangles,
    triangleSurface: new Uint8Array(numTriangles).fill(SURFACE_KINDS.indexOf(kind)),
    triangleRegions: new Uint8Array(numTriangles).fill(REGION_FACE),
    eyes: [{ center: [0, 0, 0], axis: [0, 0, 1], radius: 0.1 }],
    brows: [],
  };
}

describe("renderSynthFrame", () => {
  const camera = lookAtCamera({ eye: [0, 0, 0.5], target: [0, 0, 0], widthPx: 48, heightPx: 40, focalPx: 60 });
  const lighting = {
    sh: shFromLights([{ direction: [1, 0, 0.3], color: [1, 1, 1] }], [0.15, 0.15, 0.15]),
    keyDirection: [0.958, 0, 0.287] as const,
    keyColor: [1, 1, 1] as const,
  };

  it("covers the subject in the masks, fills the background with the gradient, and is lit from the key side", () => {
    const f = renderSynthFrame({ camera, scene: sphereScene("skin"), appearance: look, lighting });
    const at = (x: number, y: number) => y * 48 + x;
    expect(f.foreground[at(24, 20)]).toBe(255);
    expect(f.regions[at(24, 20)]).toBe(REGION_FACE);
    expect(f.foreground[at(0, 0)]).toBe(0);
    expect(f.depth[at(0, 0)]).toBe(Infinity);
    expect(f.rgb[3 * at(0, 0)]).toBe(srgbByteFromLinear(look.backgroundTop[0]));
    expect(f.rgb[3 * at(0, 39)]).toBe(srgbByteFromLinear(look.backgroundBottom[0]));
    const lum = (p: number) => f.rgb[3 * p] + f.rgb[3 * p + 1] + f.rgb[3 * p + 2];
    expect(lum(at(31, 20))).toBeGreaterThan(lum(at(17, 20)) + 60);
  });

  it("draws a dark pupil at the centre of an eye and white sclera around it", () => {
    const f = renderSynthFrame({ camera, scene: sphereScene("eye"), appearance: look, lighting });
    const centre = 3 * (20 * 48 + 24);
    expect(f.rgb[centre]).toBeLessThan(40);
    // The sclera, well away from the axis on the lit side, is bright.
    const side = 3 * (20 * 48 + 33);
    expect(f.rgb[side]).toBeGreaterThan(120);
  });

  it("integrates each pixel over its area: the same as a finer render box-filtered in linear light", () => {
    const s = 3;
    const scene = sphereScene("skin");
    const f = renderSynthFrame({ camera, scene, appearance: look, lighting, samplesPerAxis: s });
    const fineCamera = lookAtCamera({ eye: [0, 0, 0.5], target: [0, 0, 0], widthPx: 48 * s, heightPx: 40 * s, focalPx: 60 * s });
    const fine = renderSynthFrame({ camera: fineCamera, scene, appearance: look, lighting });
    let soft = 0;
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 48; x++) {
        const p = y * 48 + x;
        let covered = 0, depth = Infinity;
        const sum = [0, 0, 0];
        for (let j = 0; j < s; j++) {
          for (let i = 0; i < s; i++) {
            const q = (y * s + j) * 48 * s + x * s + i;
            if (fine.foreground[q]) covered++;
            depth = Math.min(depth, fine.depth[q]);
            for (let c = 0; c < 3; c++) sum[c] += linearFromSrgbByte(fine.rgb[3 * q + c]);
          }
        }
        // The finer render's colours are rounded to bytes before the average: within one step.
        for (let c = 0; c < 3; c++) expect(Math.abs(f.rgb[3 * p + c] - srgbByteFromLinear(sum[c] / (s * s)))).toBeLessThanOrEqual(1);
        expect(f.foreground[p]).toBe(Math.round((255 * covered) / (s * s)));
        expect(f.regions[p]).toBe(2 * covered >= s * s ? REGION_FACE : 0);
        expect(f.depth[p]).toBe(depth);
        if (covered > 0 && covered < s * s) soft++;
      }
    }
    // The sphere's outline is soft: partly covered pixels all around it.
    expect(soft).toBeGreaterThan(40);
  });

  it("decodes an sRGB byte to linear light and back to the same byte", () => {
    for (let b = 0; b < 256; b++) expect(srgbByteFromLinear(linearFromSrgbByte(b))).toBe(b);
    expect(linearFromSrgbByte(0)).toBe(0);
    expect(linearFromSrgbByte(255)).toBeCloseTo(1, 6);
    expect(linearFromSrgbByte(128)).toBeCloseTo(0.2158605, 6);
  });

  it("refuses a sample count that is not a positive whole number", () => {
    expect(() => renderSynthFrame({ camera, scene: sphereScene("skin"), appearance: look, lighting, samplesPerAxis: 0 })).toThrow(/samplesPerAxis/);
    expect(() => renderSynthFrame({ camera, scene: sphereScene("skin"), appearance: look, lighting, samplesPerAxis: 1.5 })).toThrow(/samplesPerAxis/);
    expect(() => renderSynthFrame({ camera, scene: sphereScene("skin"), appearance: look, lighting, samplesPerAxis: 17 })).toThrow(/from 1 to 16/);
  });
});
