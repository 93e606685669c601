import { add, concat, gatherRows, getCore, keep, matmul, reshape, tensor, zeros, type Tensor } from "../core/index.js";
import { rigidTransformPoints } from "../geometry/index.js";
import { NUM_LANDMARKS } from "./landmarks.js";
import { buildBases, EXPRESSION_PARAMETERS, IDENTITY_PARAMETERS, type FaceParameter } from "./parameters.js";
import { buildHeadTopology, type HeadTopology } from "./topology.js";

/** Head pose: p_model = R(rotation) p_head + translation. */
export interface FacePose {
  /** Axis-angle rotation [3], radians. Omitted: no rotation. */
  rotation?: Tensor;
  /** Translation [3], metres. Omitted: none. */
  translation?: Tensor;
}

/** Inputs of {@link FaceModel.evaluate}; every omitted part is zero (the template, unposed). */
export interface FaceModelInputs {
  /** Identity coefficients [numIdentity] (see {@link FaceModel.identityNames}). */
  identity?: Tensor;
  /** Expression coefficients [numExpression]. */
  expression?: Tensor;
  pose?: FacePose;
}

/** Result of {@link FaceModel.evaluate}. */
export interface FaceModelOutput {
  /** Posed vertices [V, 3], metres; differentiable w.r.t. identity, expression and pose. */
  vertices: Tensor;
  /** The 478 landmarks [478, 3]: mesh points 0..467, then the iris centre and limbus points of each eye (see IRIS_LANDMARKS). Differentiable. */
  landmarks: Tensor;
  /** Area-weighted unit vertex normals of the posed mesh [V*3] (not differentiable). */
  normals: Float32Array;
  /** `FaceRegion` per vertex [V] (the same array as {@link FaceModel.regions}). */
  regions: Uint8Array;
}

/** The parametric head: topology, template and linear bases. */
export interface FaceModel {
  readonly identityNames: readonly string[];
  readonly expressionNames: readonly string[];
  /** Names and meanings of the parameters (what 1.0 does). */
  readonly identityParameters: readonly FaceParameter[];
  readonly expressionParameters: readonly FaceParameter[];
  readonly numVertices: number;
  /** [T*3] vertex indices, counter-clockwise from outside. */
  readonly triangles: Uint32Array;
  readonly uvs: Float32Array;
  readonly regions: Uint8Array;
  /** `FaceMaterial` per triangle. */
  readonly materials: Uint8Array;
  /** Template positions [V*3], metres, head frame (x right as seen from the front, y up, z out of the face). */
  readonly templateVertices: Float32Array;
  /** Vertex index of every landmark [478]. */
  readonly landmarkVertices: Int32Array;
  /** The full topology (parts, jaw weights, eye centres). */
  readonly topology: HeadTopology;
  /** Identity basis [numIdentity * 3V], metres per unit, row-major. */
  readonly identityBasis: Float32Array;
  /** Expression basis [numExpression * 3V], metres per unit, row-major. */
  readonly expressionBasis: Float32Array;
  /** Shape, expression and pose to vertices, landmarks, normals and regions, in one call. */
  evaluate(inputs?: FaceModelInputs): FaceModelOutput;
}

/** Area-weighted vertex normals of packed positions [V*3]. */
export function computeVertexNormals(positions: ArrayLike<number>, triangles: ArrayLike<number>): Float32Array {
  const acc = new Float64Array(positions.length);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t], b = 3 * triangles[t + 1], c = 3 * triangles[t + 2];
    const ux = positions[b] - positions[a], uy = positions[b + 1] - positions[a + 1], uz = positions[b + 2] - positions[a + 2];
    const wx = positions[c] - positions[a], wy = positions[c + 1] - positions[a + 1], wz = positions[c + 2] - positions[a + 2];
    // The cross product's length is twice the area: summing it weights by area.
    const nx = uy * wz - uz * wy, ny = uz * wx - ux * wz, nz = ux * wy - uy * wx;
    for (const i of [a, b, c]) {
      acc[i] += nx;
      acc[i + 1] += ny;
      acc[i + 2] += nz;
    }
  }
  const out = new Float32Array(positions.length);
  for (let i = 0; i < acc.length; i += 3) {
    const l = Math.hypot(acc[i], acc[i + 1], acc[i + 2]) || 1;
    out[i] = acc[i] / l;
    out[i + 1] = acc[i + 1] / l;
    out[i + 2] = acc[i + 2] / l;
  }
  return out;
}

/** Device copies of the basis and template, rebuilt if the core runtime restarts. */
interface Uploaded {
  memory: WebAssembly.Memory;
  basis: Tensor;
  template: Tensor;
}

let cached: FaceModel | null = null;

/**
 * The face model (built once, cached): a closed head around MediaPipe's
 * canonical face mesh with linear identity and expression bases (see
 * parameters.ts for every parameter's meaning) and a rigid head pose:
 * vertices = pose(template + identityBasis^T identity + expressionBasis^T expression).
 */
export function createFaceModel(): FaceModel {
  if (cached) return cached;
  const topo = buildHeadTopology();
  const { identity: identityBasis, expression: expressionBasis } = buildBases(topo);
  const numIdentity = IDENTITY_PARAMETERS.length, numExpression = EXPRESSION_PARAMETERS.length;
  const n3 = 3 * topo.numVertices;
  let uploaded: Uploaded | null = null;
  const device = (): Uploaded => {
    const memory = getCore().memory;
    if (uploaded && uploaded.memory === memory && !uploaded.basis.isDisposed) return uploaded;
    const all = new Float32Array((numIdentity + numExpression) * n3);
    all.set(identityBasis, 0);
    all.set(expressionBasis, numIdentity * n3);
    uploaded = { memory, basis: keep(tensor(all, [numIdentity + numExpression, n3])), template: keep(tensor(topo.templateVertices, [1, n3])) };
    return uploaded;
  };
  const checkVector = (what: string, t: Tensor | undefined, n: number): Tensor => {
    if (!t) return zeros([n]);
    if (t.size !== n) throw new Error(`FaceModel.evaluate: ${what} must have ${n} values, got shape [${t.shape}]`);
    return t;
  };
  const evaluate = (inputs: FaceModelInputs = {}): FaceModelOutput => {
    const { basis, template } = device();
    const identity = checkVector("identity", inputs.identity, numIdentity);
    const expression = checkVector("expression", inputs.expression, numExpression);
    const coefficients = reshape(concat([reshape(identity, [numIdentity]), reshape(expression, [numExpression])], 0), [1, numIdentity + numExpression]);
    const shaped = reshape(add(matmul(coefficients, basis), template), [topo.numVertices, 3]);
    const pose = inputs.pose;
    const vertices = pose && (pose.rotation || pose.translation)
      ? rigidTransformPoints({
        points: shaped,
        axisAngle: checkVector("pose.rotation", pose.rotation, 3),
        translation: checkVector("pose.translation", pose.translation, 3),
      })
      : shaped;
    const landmarks = gatherRows({ x: vertices, indices: topo.landmarkVertices });
    return { vertices, landmarks, normals: computeVertexNormals(vertices.data, topo.triangles), regions: topo.regions };
  };
  if (topo.landmarkVertices.length !== NUM_LANDMARKS) throw new Error("face model: landmark table has the wrong length");
  cached = {
    identityNames: IDENTITY_PARAMETERS.map((p) => p.name),
    expressionNames: EXPRESSION_PARAMETERS.map((p) => p.name),
    identityParameters: IDENTITY_PARAMETERS,
    expressionParameters: EXPRESSION_PARAMETERS,
    numVertices: topo.numVertices,
    triangles: topo.triangles,
    uvs: topo.uvs,
    regions: topo.regions,
    materials: topo.materials,
    templateVertices: topo.templateVertices,
    landmarkVertices: topo.landmarkVertices,
    topology: topo,
    identityBasis,
    expressionBasis,
    evaluate,
  };
  return cached;
}
