// The public surface of the face layer: the parametric head model (topology,
// identity and expression bases, pose, landmarks). No rendering here.
export { FaceMaterial, FaceRegion, HeadPart, buildHeadTopology, boundaryLoops, type HeadTopology } from "./topology.js";
export { EXPRESSION_PARAMETERS, IDENTITY_PARAMETERS, type FaceParameter } from "./parameters.js";
export {
  computeVertexNormals, createFaceModel,
  type FaceModel, type FaceModelInputs, type FaceModelOutput, type FacePose,
} from "./model.js";
export * as faceLandmarks from "./landmarks.js";
export { IRIS_LANDMARKS, NUM_LANDMARKS } from "./landmarks.js";
