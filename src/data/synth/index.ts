// The virtual capture studio: built-in subjects, rigs, scripted motion and speech,
// rendered into datasets with exact ground truth.
export {
  CONTACT_SHEET_FILE, DEFAULT_SAMPLES_PER_AXIS, SYNTH_RIGS, SYNTH_SEQUENCES, SYNTH_VOICES, captureSynthetic,
  type SynthCaptureOptions, type SynthCaptureResult, type SynthRig, type SynthSequence, type SynthVoice,
} from "./capture.js";
export { BUILT_IN_SUBJECTS, DEFAULT_SUBJECT, builtInSubject, subjectFromSeed } from "./subjects.js";
