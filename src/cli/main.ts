#!/usr/bin/env node
import { parseArgs } from "node:util";
import { packageVersion } from "./version.js";
import { runDoctor } from "./doctor.js";
import { CAPTURE_SYNTH_HELP, runCaptureSynth } from "./capture-synth.js";
import { CAPTURE_VIDEO_HELP, runCaptureVideo } from "./capture-video.js";
import { runTrain } from "./train.js";
import { runRender } from "./render.js";
import { runEval } from "./eval.js";
import { runDemo } from "./demo.js";

const HELP = `likeness: photoreal, animatable 3D head avatars from a short portrait video, on a CPU

Usage: likeness <command> [options]

Commands:
  capture video     turn a portrait video into a dataset (see 'likeness capture video --help')
  capture synth     render a built-in synthetic subject into a dataset (see 'likeness capture synth --help')
  train             train a FLAME-in-NeRF avatar on a dataset (see 'likeness train --help')
  render            drive an avatar with a dataset, an expression file or a camera orbit; PNG + MP4
  eval              measure an avatar on a dataset's held-out frames; a report folder
  demo              the whole path on a built-in subject: capture, train, render, evaluate (~5 min)
  doctor            check the install: kernels, threads, a quick throughput number

Options:
  -h, --help     show this help
  -v, --version  print the version

Environment:
  LIKENESS_THREADS   threads for compute kernels (default: the number of cores)

See README.md for a walkthrough.`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "capture") {
    if (argv[1] === "synth") return runCaptureSynth(argv.slice(2));
    if (argv[1] === "video") return runCaptureVideo(argv.slice(2));
    if (argv[1] === undefined || argv[1] === "--help" || argv[1] === "-h") {
      console.log(`${CAPTURE_VIDEO_HELP}\n\n${CAPTURE_SYNTH_HELP}`);
      return 0;
    }
    console.error(`likeness: unknown capture source '${argv[1]}'; available: video, synth`);
    return 2;
  }
  if (argv[0] === "train") return runTrain(argv.slice(1));
  if (argv[0] === "render") return runRender(argv.slice(1));
  if (argv[0] === "eval") return runEval(argv.slice(1));
  if (argv[0] === "demo") return runDemo(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "v" } },
    allowPositionals: true,
    strict: true,
  });
  if (values.version) {
    console.log(packageVersion());
    return 0;
  }
  const [command] = positionals;
  if (values.help || command === undefined || command === "help") {
    console.log(HELP);
    return 0;
  }
  switch (command) {
    case "doctor":
      return runDoctor((line) => console.log(line)) ? 0 : 1;
    default:
      console.error(`likeness: unknown command '${command}'. Run 'likeness --help' for the list.`);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(`likeness: ${(e as Error).message}`);
  process.exitCode = 1;
}
