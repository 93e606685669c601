// The public surface of the fields layer: MLPs, a tri-plane radiance field and a
// conditioned deformation field, each with named parameters from a seeded generator.
export { FieldError } from "./error.js";
export { Mlp, type MlpOptions } from "./mlp.js";
export { TriplaneField, type TriplaneFieldOptions, type TriplaneFieldOutput } from "./triplane-field.js";
export {
  DeformationField, type DeformInputs, type DeformOutput, type DeformationFieldOptions,
} from "./deformation-field.js";
