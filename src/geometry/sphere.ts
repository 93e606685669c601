/**
 * A UV sphere of `radius` at the origin: `rings` latitude bands and `segments`
 * longitude bands; 2 * segments * (rings - 1) triangles, wound counter-clockwise
 * seen from outside. Test and benchmark geometry.
 */
export function makeUvSphere(radius: number, rings: number, segments: number): { vertices: Float32Array; triangles: Uint32Array } {
  const verts: number[] = [];
  for (let r = 0; r <= rings; r++) {
    const theta = (Math.PI * r) / rings;
    for (let s = 0; s < segments; s++) {
      const phi = (2 * Math.PI * s) / segments;
      verts.push(radius * Math.sin(theta) * Math.cos(phi), radius * Math.cos(theta), radius * Math.sin(theta) * Math.sin(phi));
    }
  }
  const tris: number[] = [];
  for (let r = 0; r < rings; r++) {
    for (let s = 0; s < segments; s++) {
      const a = r * segments + s, b = r * segments + ((s + 1) % segments);
      const c = a + segments, d = b + segments;
      if (r > 0) tris.push(a, b, c);
      if (r < rings - 1) tris.push(b, d, c);
    }
  }
  return { vertices: Float32Array.from(verts), triangles: Uint32Array.from(tris) };
}
