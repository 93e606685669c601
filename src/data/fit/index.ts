// The landmark fitter: the Likeness face model fitted to 2D landmark tracks of a
// video (per-video identity and focal length, per-frame pose and expression),
// and a wireframe overlay of the fit for contact sheets and overlay videos.
export {
  fitCamera, fitLandmarkTracks, poseJitter,
  type FitFrame, type FitLandmarkTracksOptions, type FitProgress, type FitReport, type FitResult, type FitStage, type PoseJitter,
} from "./fit.js";
export { FitError, FitSettingsSchema, resolveFitSettings, type FitSettings, type FitSettingsInput } from "./settings.js";
export { FACE_OVAL_LANDMARKS, STABLE_LANDMARKS, fittedVertices } from "./landmark-model.js";
export { drawFitOverlay, faceOverlayTriangles, type DrawFitOverlayOptions, type Rgb } from "./overlay.js";
