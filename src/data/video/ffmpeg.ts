import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
import { VideoError } from "./error.js";

/** Environment variable naming an ffmpeg binary to use instead of the search. */
export const FFMPEG_ENV = "LIKENESS_FFMPEG";

/** How the ffmpeg binary in use was found. */
export type FfmpegSource = "env" | "system" | "npm";

/** The ffmpeg binary in use and what it can do. */
export interface FfmpegInfo {
  /** Absolute path of the binary (or the value of `LIKENESS_FFMPEG` as given). */
  readonly path: string;
  readonly source: FfmpegSource;
  /** First line of `ffmpeg -version`, e.g. `ffmpeg version 5.1.6-0+deb12u1 ...`. */
  readonly versionLine: string;
}

let cachedInfo: FfmpegInfo | undefined;
let cachedEncoders: ReadonlySet<string> | undefined;
const liveProcesses = new Set<ChildProcess>();

/** Runs `<path> -version`; returns its first line, or undefined when it does not run. */
function versionLineOf(path: string): string | undefined {
  const result = spawnSync(path, ["-version"], { encoding: "utf8", timeout: 20_000, windowsHide: true });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout.split("\n", 1)[0].trim();
}

/** Absolute paths of `ffmpeg` executables on `pathList` (a PATH value), in order. */
function ffmpegsOnPath(pathList: string): string[] {
  const name = process.platform === "win32" ? "ffmpeg.exe" : "ffmpeg";
  const found: string[] = [];
  for (const dir of pathList.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) found.push(candidate);
    } catch {
      // Not here; keep looking.
    }
  }
  return found;
}

/** The binary inside `@ffmpeg-installer/ffmpeg`, or the reason it is unavailable. */
function npmFfmpeg(): { path: string } | { problem: string } {
  try {
    const require = createRequire(import.meta.url);
    // The package throws a plain string on an unsupported platform.
    const installer: unknown = require("@ffmpeg-installer/ffmpeg");
    if (typeof installer === "object" && installer !== null && "path" in installer && typeof installer.path === "string") return { path: installer.path };
    return { problem: "@ffmpeg-installer/ffmpeg exports no path" };
  } catch (e) {
    return { problem: `@ffmpeg-installer/ffmpeg: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Searches for ffmpeg as {@link findFfmpeg} does, without the cache, in the
 * environment `env` (its `LIKENESS_FFMPEG` and `PATH`).
 */
export function locateFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegInfo {
  const fromEnv = env[FFMPEG_ENV];
  if (fromEnv) {
    const versionLine = versionLineOf(fromEnv);
    if (!versionLine) throw new VideoError(`${FFMPEG_ENV}=${fromEnv}: does not run as ffmpeg (\`${fromEnv} -version\` failed)`);
    return { path: fromEnv, source: "env", versionLine };
  }
  for (const candidate of ffmpegsOnPath(env.PATH ?? "")) {
    const versionLine = versionLineOf(candidate);
    if (versionLine) return { path: candidate, source: "system", versionLine };
  }
  const npm = npmFfmpeg();
  if ("path" in npm) {
    const versionLine = versionLineOf(npm.path);
    if (versionLine) return { path: npm.path, source: "npm", versionLine };
  }
  const why = "path" in npm ? `${npm.path} does not run` : npm.problem;
  throw new VideoError(`ffmpeg not found: none on PATH and ${why}; install ffmpeg or set ${FFMPEG_ENV} to its path`);
}

/**
 * Finds the ffmpeg binary to run, once per process (cached): the one named by
 * `LIKENESS_FFMPEG` when set (an error if it does not run), else the first
 * `ffmpeg` on PATH whose `-version` runs (a distribution build usually has
 * more codecs and is newer), else the static binary shipped inside the
 * `@ffmpeg-installer/ffmpeg` npm package, so that `npm ci` alone is enough.
 * ffmpeg is always run as a separate program (its licence is GPL).
 */
export function findFfmpeg(): FfmpegInfo {
  cachedInfo ??= locateFfmpeg();
  return cachedInfo;
}

/** Names of the encoders the ffmpeg binary offers (`ffmpeg -encoders`), cached. */
export function ffmpegEncoders(): ReadonlySet<string> {
  if (cachedEncoders) return cachedEncoders;
  const { path } = findFfmpeg();
  const result = spawnSync(path, ["-hide_banner", "-encoders"], { encoding: "utf8", timeout: 20_000, windowsHide: true });
  if (result.error || result.status !== 0) throw new VideoError(`${path}: \`ffmpeg -encoders\` failed`);
  const names = new Set<string>();
  // Lines look like " V..... libx264   libx264 H.264 / AVC ..."; the legend above uses "=".
  for (const line of result.stdout.split("\n")) {
    const m = /^\s*[VAS][.A-Z]{5}\s+(\S+)\s/.exec(line);
    if (m && m[1] !== "=") names.add(m[1]);
  }
  cachedEncoders = names;
  return names;
}

/**
 * Spawns ffmpeg with `args` (stdin ignored unless `stdin` is "pipe") and keeps
 * track of it until it exits, so that callers and tests can check that nothing
 * is left running ({@link liveFfmpegProcesses}).
 */
export function spawnFfmpeg(args: readonly string[], { stdin = "ignore" }: { stdin?: "ignore" | "pipe" } = {}): ChildProcess {
  // -nostdin stops ffmpeg reading keys; ffmpeg turns that off by itself when stdin carries data ("-i -").
  const head = stdin === "pipe" ? ["-hide_banner"] : ["-hide_banner", "-nostdin"];
  const child = spawn(findFfmpeg().path, [...head, ...args], { stdio: [stdin, "pipe", "pipe"], windowsHide: true });
  liveProcesses.add(child);
  child.once("close", () => liveProcesses.delete(child));
  child.once("error", () => liveProcesses.delete(child));
  return child;
}

/** The ffmpeg processes started by this module that have not exited yet (their pids). */
export function liveFfmpegProcesses(): number[] {
  return [...liveProcesses].map((p) => p.pid ?? -1);
}

/**
 * A file path as an ffmpeg URL: `file:` in front, so that a name with a colon
 * (`take:2.mp4`) is not read as a protocol and a name starting with `-` not as an option.
 */
export function ffmpegFileUrl(path: string): string {
  return `file:${path}`;
}

/** Keeps the last `maxChars` characters of a process's stderr. */
export class StderrTail {
  private text = "";
  constructor(private readonly maxChars = 8192) {}
  /** Appends a chunk, dropping the oldest text beyond `maxChars`. */
  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > 2 * this.maxChars) this.text = this.text.slice(-this.maxChars);
  }
  /** The last `count` non-empty lines joined with " | ", for one-line errors. */
  lastLines(count = 3): string {
    return this.text
      .split(/\r?\n|\r/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0)
      .slice(-count)
      .join(" | ");
  }
  /** All the text kept. */
  toString(): string {
    return this.text;
  }
}

/** A started ffmpeg process with its stderr tail and its end. */
export interface FfmpegProcess {
  readonly child: ChildProcess;
  readonly stderr: StderrTail;
  /** Settles when the process has closed, with its exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The error of a process that could not be started, once known. */
  spawnError(): Error | undefined;
}

/** {@link spawnFfmpeg}, plus the stderr tail and exit bookkeeping every streaming caller needs. */
export function startFfmpeg(args: readonly string[], options: { stdin?: "ignore" | "pipe" } = {}): FfmpegProcess {
  const child = spawnFfmpeg(args, options);
  const stderr = new StderrTail();
  child.stderr?.on("data", (c: Buffer) => stderr.push(c));
  let error: Error | undefined;
  child.once("error", (e) => (error = e));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) => {
    child.once("close", (code, signal) => resolvePromise({ code, signal }));
  });
  return { child, stderr, exited, spawnError: () => error };
}

/** What a finished ffmpeg run produced. */
export interface FfmpegRun {
  /** Exit code, or null when killed by a signal. */
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/**
 * Runs ffmpeg to completion and collects its output. Rejects only when the
 * program cannot be started; a non-zero exit is returned for the caller to judge.
 */
export function runFfmpeg(args: readonly string[]): Promise<FfmpegRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnFfmpeg(args);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr?.on("data", (c: Buffer) => err.push(c));
    child.once("error", (e) => reject(new VideoError(`${findFfmpeg().path}: cannot start (${e.message})`)));
    child.once("close", (code) => resolvePromise({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
  });
}
