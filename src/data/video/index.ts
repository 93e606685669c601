// Video and image-sequence input and output through ffmpeg pipes: finding the
// binary, probing, decoding to RGB frames, extracting audio, encoding MP4.
export { VideoError } from "./error.js";
export { FFMPEG_ENV, ffmpegEncoders, findFfmpeg, liveFfmpegProcesses, locateFfmpeg, type FfmpegInfo, type FfmpegSource } from "./ffmpeg.js";
export { checkVideoPath, probeVideo, type FrameCountMethod, type ProbeVideoOptions, type VideoInfo } from "./probe.js";
export {
  decodeVideoFrames, resolveFrameGeometry, type CropRect, type DecodeFramesOptions, type FrameGeometry, type VideoFrame,
} from "./decode.js";
export { IMAGE_FOLDER_EXTENSIONS, listImageFiles, readImageFolder, type ReadImageFolderOptions } from "./image-folder.js";
export { SILENCE_PEAK, extractAudio, type ExtractAudioOptions } from "./audio.js";
export { encodeVideo, rateArg, type EncodeVideoOptions, type EncodedVideo, type EncodedVideoCodec } from "./encode.js";
