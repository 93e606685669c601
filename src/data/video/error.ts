/**
 * An error about a video, an image folder or the ffmpeg program; its one-line
 * message names the file and the problem.
 */
export class VideoError extends Error {
  override readonly name = "VideoError";
}
