// Radiance-field kernels: tri-plane sampling, positional encoding, volume compositing.
export * from "./triplane";
export * from "./encoding";
export * from "./composite";
