/**
 * Shoulders and upper chest for synthetic captures: the upper part of an
 * ellipsoid below the head, in the world frame (it does not follow head pose),
 * with outward normals. `neckBaseY` is the height (metres) where the neck meets it.
 */
export function makeShoulders(neckBaseY: number): { vertices: Float32Array; normals: Float32Array; triangles: Uint32Array } {
  const radii = [0.21, 0.12, 0.12] as const;
  const center = [0, neckBaseY - radii[1] + 0.03, -0.035] as const;
  const rings = 18, segments = 48;
  // Polar angle from the top down to a little below the equator (the image cuts it off).
  const maxTheta = 0.62 * Math.PI;
  const verts: number[] = [];
  const normals: number[] = [];
  for (let r = 0; r <= rings; r++) {
    const theta = (maxTheta * r) / rings;
    for (let s = 0; s < segments; s++) {
      const phi = (2 * Math.PI * s) / segments;
      const ux = Math.sin(theta) * Math.cos(phi), uy = Math.cos(theta), uz = Math.sin(theta) * Math.sin(phi);
      verts.push(center[0] + radii[0] * ux, center[1] + radii[1] * uy, center[2] + radii[2] * uz);
      // The normal of an ellipsoid is the gradient of (x/a)^2 + ...: u / radii.
      const nx = ux / radii[0], ny = uy / radii[1], nz = uz / radii[2];
      const n = Math.hypot(nx, ny, nz);
      normals.push(nx / n, ny / n, nz / n);
    }
  }
  const tris: number[] = [];
  for (let r = 0; r < rings; r++) {
    for (let s = 0; s < segments; s++) {
      const a = r * segments + s, b = r * segments + ((s + 1) % segments);
      tris.push(a, b, a + segments, b, b + segments, a + segments);
    }
  }
  return { vertices: Float32Array.from(verts), normals: Float32Array.from(normals), triangles: Uint32Array.from(tris) };
}
