import { IRIS_LANDMARKS, NUM_LANDMARKS, type FaceModel } from "../../face/index.js";
import { rotationFromAxisAngle, type Vec3 } from "../../geometry/rigid.js";

/**
 * The face model restricted to its 478 landmarks, in plain float64 arrays: the
 * landmarks are mesh vertices, and the model is linear in identity and
 * expression, so landmarks (head frame, metres) = template + identity basis *
 * identity + expression basis * expression. Bases are stored landmark-major,
 * `[478][3][count]`, so one landmark's derivatives are contiguous.
 */
export interface LandmarkModel {
  readonly numIdentity: number;
  readonly numExpression: number;
  /** [478 * 3] template landmarks, metres, head frame. */
  readonly template: Float64Array;
  /** [478 * 3 * numIdentity]: d landmark_l,c / d identity_k at (3 l + c) * numIdentity + k. */
  readonly identityBasis: Float64Array;
  /** [478 * 3 * numExpression], laid out like {@link identityBasis}. */
  readonly expressionBasis: Float64Array;
  /** Indices of the gaze parameters (the only ones the iris points drive). */
  readonly gazeParameters: readonly number[];
  /** Per landmark, the expression parameters that move it (nonzero basis entries), ascending: the Jacobian's sparsity. */
  readonly expressionSupport: readonly Int32Array[];
  /** Per landmark, the identity parameters that move it, ascending. */
  readonly identitySupport: readonly Int32Array[];
}

/** Builds the landmark-only linear model of `model`. */
export function landmarkModel(model: FaceModel): LandmarkModel {
  const numIdentity = model.identityNames.length, numExpression = model.expressionNames.length;
  const n3 = 3 * model.numVertices;
  const template = new Float64Array(NUM_LANDMARKS * 3);
  const identityBasis = new Float64Array(NUM_LANDMARKS * 3 * numIdentity);
  const expressionBasis = new Float64Array(NUM_LANDMARKS * 3 * numExpression);
  for (let l = 0; l < NUM_LANDMARKS; l++) {
    const v = model.landmarkVertices[l];
    for (let c = 0; c < 3; c++) {
      template[3 * l + c] = model.templateVertices[3 * v + c];
      for (let k = 0; k < numIdentity; k++) identityBasis[(3 * l + c) * numIdentity + k] = model.identityBasis[k * n3 + 3 * v + c];
      for (let k = 0; k < numExpression; k++) expressionBasis[(3 * l + c) * numExpression + k] = model.expressionBasis[k * n3 + 3 * v + c];
    }
  }
  const gazeParameters = model.expressionNames.flatMap((name, i) => (name.startsWith("gaze") ? [i] : []));
  const support = (basis: Float64Array, count: number): Int32Array[] =>
    Array.from({ length: NUM_LANDMARKS }, (_, l) => {
      const ks: number[] = [];
      for (let k = 0; k < count; k++) {
        if (basis[3 * l * count + k] !== 0 || basis[(3 * l + 1) * count + k] !== 0 || basis[(3 * l + 2) * count + k] !== 0) ks.push(k);
      }
      return Int32Array.from(ks);
    });
  return {
    numIdentity, numExpression, template, identityBasis, expressionBasis, gazeParameters,
    expressionSupport: support(expressionBasis, numExpression),
    identitySupport: support(identityBasis, numIdentity),
  };
}

/** Head-frame landmarks [478 * 3] (metres) of `identity` with zero expression. */
export function identityLandmarks(m: LandmarkModel, identity: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(m.template);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let k = 0; k < m.numIdentity; k++) s += m.identityBasis[i * m.numIdentity + k] * identity[k];
    out[i] += s;
  }
  return out;
}

/** Adds the expression displacement of `expression` to `neutral` ([478 * 3]), into `out`. */
export function addExpression(m: LandmarkModel, neutral: Float64Array, expression: ArrayLike<number>, out: Float64Array): Float64Array {
  const e = m.numExpression;
  for (let i = 0; i < neutral.length; i++) {
    let s = neutral[i];
    for (let k = 0; k < e; k++) s += m.expressionBasis[i * e + k] * expression[k];
    out[i] = s;
  }
  return out;
}

/**
 * MediaPipe's face oval (FACEMESH_FACE_OVAL): the silhouette points, which a 2D
 * tracker places on the visible outline rather than on fixed skin points, so
 * they slide in depth as the head turns.
 */
export const FACE_OVAL_LANDMARKS: readonly number[] = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
  152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

/**
 * Landmarks that move little with expression (eye corners, nose, forehead,
 * cheekbones, temples): the pose initialization aligns these first.
 */
export const STABLE_LANDMARKS: readonly number[] = [
  33, 133, 263, 362, 168, 6, 197, 195, 5, 4, 1, 10, 151, 9, 8, 116, 345, 123, 352, 50, 280, 98, 327, 2, 94, 219, 439, 130, 359,
];

/** Whether landmark `l` is one of the 10 iris points. */
export function isIrisLandmark(l: number): boolean {
  return l >= IRIS_LANDMARKS.rightCenter;
}

/**
 * World-frame mesh vertices [V * 3] (metres) of the full face model for fitted
 * parameters, in plain TypeScript (no tensor runtime): p_world = R(rotation)
 * (template + identity + expression displacements) + translation.
 */
export function fittedVertices(options: {
  model: FaceModel;
  identity: ArrayLike<number>;
  expression: ArrayLike<number>;
  rotationAxisAngle: Vec3;
  translation: Vec3;
}): Float32Array {
  const { model, identity, expression, rotationAxisAngle, translation } = options;
  const n3 = 3 * model.numVertices;
  const shaped = Float64Array.from(model.templateVertices);
  const addBasis = (basis: Float32Array, coefficients: ArrayLike<number>): void => {
    for (let k = 0; k < coefficients.length; k++) {
      const c = coefficients[k];
      if (c === 0) continue;
      const row = k * n3;
      for (let i = 0; i < n3; i++) shaped[i] += c * basis[row + i];
    }
  };
  addBasis(model.identityBasis, identity);
  addBasis(model.expressionBasis, expression);
  const r = rotationFromAxisAngle(rotationAxisAngle);
  const out = new Float32Array(n3);
  for (let i = 0; i < n3; i += 3) {
    const x = shaped[i], y = shaped[i + 1], z = shaped[i + 2];
    out[i] = r[0] * x + r[1] * y + r[2] * z + translation[0];
    out[i + 1] = r[3] * x + r[4] * y + r[5] * z + translation[1];
    out[i + 2] = r[6] * x + r[7] * y + r[8] * z + translation[2];
  }
  return out;
}
