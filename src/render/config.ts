import { z } from "zod";

const vec3 = z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]);

/** Zod schema of volume.ts's `RenderBounds` (its parsed type is assignable to it; config.test.ts checks): the region rays are sampled in, a sphere or an axis-aligned box. */
export const renderBoundsSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("sphere").describe("a sphere around the head"),
      center: vec3.default([0, 0, 0]).describe("centre, world frame"),
      radius: z.number().finite().positive().describe("radius, world units"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("box").describe("an axis-aligned box around the head"),
      min: vec3.describe("lower corner, world frame"),
      max: vec3.describe("upper corner, world frame"),
    })
    .strict(),
]);

/** Zod schema of the volume renderer's settings, as a method's config holds them. */
export const volumeRenderConfigSchema = z
  .object({
    numSamples: z.number().int().min(1).default(48).describe("stratified samples per ray between the ray's entry to and exit from the bounds"),
    numImportanceSamples: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe("extra samples per ray drawn from the weights of a gradient-free first pass (hierarchical sampling); 0 for one pass"),
    chunkRays: z.number().int().min(1).default(4096).describe("rays rendered at once by renderImage (bounds its memory)"),
    tileSizePx: z.number().int().min(1).default(8).describe("side of the square pixel tiles rays are ordered in, for cache coherence"),
    background: z.array(z.number().finite()).min(1).default([1, 1, 1]).describe("colour behind the volume, one value per channel"),
  })
  .strict();

/** The resolved volume renderer settings. */
export type VolumeRenderConfig = z.infer<typeof volumeRenderConfigSchema>;
