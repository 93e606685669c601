/**
 * Index lists of the MediaPipe face mesh (468 points; public facts from
 * MediaPipe's face_mesh_connections and the annotation tables of
 * @vladmandic/human). "Right" and "left" are the subject's: the subject's right
 * eye (around point 33) is at -x in the model frame and on the image's left in a
 * front camera.
 */

/** Contour of the subject's right eye opening: lower lid from corner 33 to corner 133. */
export const RIGHT_EYE_LOWER = [33, 7, 163, 144, 145, 153, 154, 155, 133] as const;
/** Upper lid of the subject's right eye, corners excluded, from the 33 side to the 133 side. */
export const RIGHT_EYE_UPPER = [246, 161, 160, 159, 158, 157, 173] as const;
/** Contour of the subject's left eye opening: lower lid from corner 263 to corner 362. */
export const LEFT_EYE_LOWER = [263, 249, 390, 373, 374, 380, 381, 382, 362] as const;
/** Upper lid of the subject's left eye, corners excluded, from the 263 side to the 362 side. */
export const LEFT_EYE_UPPER = [466, 388, 387, 386, 385, 384, 398] as const;
/** The ring of lid skin around each eye opening (MediaPipe's EyeUpper1/EyeLower1). */
export const RIGHT_EYE_RING1 = [247, 30, 29, 27, 28, 56, 190, 130, 25, 110, 24, 23, 22, 26, 112, 243] as const;
export const LEFT_EYE_RING1 = [467, 260, 259, 257, 258, 286, 414, 359, 255, 339, 254, 253, 252, 256, 341, 463] as const;
/** Upper lid crease ring (EyeUpper2), moved by blinks with a falloff. */
export const RIGHT_EYE_UPPER2 = [113, 225, 224, 223, 222, 221, 189] as const;
export const LEFT_EYE_UPPER2 = [342, 445, 444, 443, 442, 441, 413] as const;

/** Inner lip contour, upper half, from mouth corner 78 (subject's right) to 308. */
export const LIPS_UPPER_INNER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308] as const;
/** Inner lip contour, lower half, from 78 to 308. */
export const LIPS_LOWER_INNER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308] as const;
/** Outer lip contour (vermilion border), upper half, from corner 61 to corner 291. */
export const LIPS_UPPER_OUTER = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291] as const;
/** Outer lip contour, lower half, from 61 to 291. */
export const LIPS_LOWER_OUTER = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291] as const;
/** Mid-lip rings between the outer and inner contours. */
export const LIPS_MIDDLE = [
  76, 77, 90, 180, 85, 16, 315, 404, 320, 307, 306, 184, 74, 73, 72, 11, 302, 303, 304, 408,
  62, 96, 89, 179, 86, 15, 316, 403, 319, 325, 292, 183, 42, 41, 38, 12, 268, 271, 272, 407,
] as const;

/** Eyebrows: inner (towards the nose) and outer points, per side. */
export const RIGHT_BROW_INNER = [107, 66, 55, 65] as const;
export const RIGHT_BROW_OUTER = [70, 63, 46, 53] as const;
export const RIGHT_BROW_MIDDLE = [105, 52] as const;
export const LEFT_BROW_INNER = [336, 296, 285, 295] as const;
export const LEFT_BROW_OUTER = [300, 293, 276, 283] as const;
export const LEFT_BROW_MIDDLE = [334, 282] as const;

/** Named single points. */
export const FOREHEAD_TOP = 10;
export const CHIN = 152;
export const NOSE_TIP = 1;
export const NOSE_BRIDGE = 168;
export const MOUTH_CORNER_RIGHT = 61;
export const MOUTH_CORNER_LEFT = 291;
export const UPPER_LIP_CENTER = 13;
export const LOWER_LIP_CENTER = 14;

/**
 * The 10 iris landmarks appended after the 468 mesh points, in MediaPipe's refined
 * landmark order (face_mesh_connections: FACEMESH_RIGHT_IRIS = 469-472 with
 * FACEMESH_RIGHT_EYE around point 33; FACEMESH_LEFT_IRIS = 474-477 with the eye
 * around 263): 468 is the centre of the subject's right iris and 473 of the left.
 * Each centre is followed by four limbus points: towards +x, +y, -x, -y of the
 * model frame (image right, top, left, bottom in a front camera).
 * Note: @vladmandic/human's default iris path (config.face.iris, not attention)
 * appends its "left" eye (the 263 side) first, so its 468-472 are the subject's
 * LEFT iris; swap the two groups when reading that tracker's output.
 */
export const IRIS_LANDMARKS = { rightCenter: 468, leftCenter: 473 } as const;

/** Number of landmarks: 468 mesh points and 10 iris points. */
export const NUM_LANDMARKS = 478;
