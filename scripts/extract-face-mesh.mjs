// Extracts MediaPipe's canonical face mesh (Apache-2.0, shipped in the npm package
// @mediapipe/face_mesh) into assets/face-mesh-canonical.json: 468 vertices (x, y, z
// in centimetres, y up, z towards the viewer), their UVs, and 898 triangles.
// The data sits in face_mesh_solution_packed_assets.data as the protobuf
// geometry_pipeline_metadata_landmarks.binarypb; its byte range is listed in
// face_mesh_solution_packed_assets_loader.js. In the protobuf, field 1 is the mesh:
// field 3 holds packed float32 vertex data (x, y, z, u, v per vertex) and field 4
// the triangle indices as varints.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve("@mediapipe/face_mesh/package.json"));
const loader = readFileSync(join(pkgDir, "face_mesh_solution_packed_assets_loader.js"), "utf8");
const entry = /"filename": "[^"]*geometry_pipeline_metadata_landmarks\.binarypb", "start": (\d+), "end": (\d+)/.exec(loader);
if (!entry) throw new Error("extract-face-mesh: the canonical mesh is not listed in the package's asset loader");
const data = readFileSync(join(pkgDir, "face_mesh_solution_packed_assets.data")).subarray(Number(entry[1]), Number(entry[2]));

function* fields(bytes) {
  let i = 0;
  const varint = () => {
    let result = 0n, shift = 0n;
    for (;;) {
      const b = bytes[i++];
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (b < 0x80) return result;
    }
  };
  while (i < bytes.length) {
    const key = Number(varint());
    const field = key >> 3, wire = key & 7;
    if (wire === 0) yield { field, value: Number(varint()) };
    else if (wire === 2) { const n = Number(varint()); yield { field, bytes: bytes.subarray(i, i + n) }; i += n; }
    else if (wire === 5) { yield { field, float: new DataView(bytes.buffer, bytes.byteOffset + i, 4).getFloat32(0, true) }; i += 4; }
    else if (wire === 1) i += 8;
    else throw new Error(`extract-face-mesh: unexpected wire type ${wire}`);
  }
}

const mesh = [...fields(data)].find((f) => f.field === 1)?.bytes;
if (!mesh) throw new Error("extract-face-mesh: no mesh field");
const vertexData = [];
const indices = [];
for (const f of fields(mesh)) {
  if (f.field === 3 && f.float !== undefined) vertexData.push(f.float);
  else if (f.field === 3 && f.bytes) for (let k = 0; k < f.bytes.length; k += 4) vertexData.push(new DataView(f.bytes.buffer, f.bytes.byteOffset + k, 4).getFloat32(0, true));
  else if (f.field === 4 && f.value !== undefined) indices.push(f.value);
  else if (f.field === 4 && f.bytes) for (const v of fields(new Uint8Array([0x20, ...f.bytes]))) indices.push(v.value);
}
if (vertexData.length !== 468 * 5 || indices.length !== 898 * 3) {
  throw new Error(`extract-face-mesh: expected 468 vertices and 898 triangles, got ${vertexData.length / 5} and ${indices.length / 3}`);
}
const round = (x) => Math.round(x * 1e6) / 1e6;
const out = {
  source: "MediaPipe canonical face mesh, @mediapipe/face_mesh 0.4.1657299874 (Apache-2.0), geometry_pipeline_metadata_landmarks.binarypb",
  units: "centimetres; x right, y up, z towards the viewer",
  vertices: [], uvs: [], triangles: indices,
};
for (let v = 0; v < 468; v++) {
  out.vertices.push(...vertexData.slice(5 * v, 5 * v + 3).map(round));
  out.uvs.push(...vertexData.slice(5 * v + 3, 5 * v + 5).map(round));
}
const text = JSON.stringify(out) + "\n";
if (process.argv.includes("--check")) {
  const have = readFileSync(join(root, "assets", "face-mesh-canonical.json"), "utf8");
  if (have !== text) throw new Error("assets/face-mesh-canonical.json differs from the extraction; run node scripts/extract-face-mesh.mjs");
  console.log("assets/face-mesh-canonical.json matches the package");
} else {
  const { writeFileSync } = await import("node:fs");
  writeFileSync(join(root, "assets", "face-mesh-canonical.json"), text);
  console.log(`wrote assets/face-mesh-canonical.json (${text.length} bytes)`);
}
