/** What {@link withInterruptSave} listens on: `process`, or a stand-in in tests. */
export interface SignalSource {
  on(event: "SIGINT" | "SIGTERM", listener: () => void): unknown;
  off(event: "SIGINT" | "SIGTERM", listener: () => void): unknown;
}

/** Options of {@link withInterruptSave}. */
export interface InterruptOptions {
  /** Where the signals come from (default `process`). */
  source?: SignalSource;
  /** Where the notice goes (default stderr). */
  stream?: { write(text: string): unknown };
  /** Called on a second signal, to quit without waiting (default `process.exit(130)`). */
  exit?: () => void;
}

/**
 * Runs `fn` with an AbortSignal that the first Ctrl-C (SIGINT) or SIGTERM aborts, so a
 * training loop given the signal finishes its step, writes a checkpoint and returns;
 * a second Ctrl-C quits at once. The handlers are removed when `fn` settles.
 *
 * ```ts
 * const result = await withInterruptSave((signal) => train({ ...options, signal }));
 * ```
 */
export async function withInterruptSave<T>(fn: (signal: AbortSignal) => Promise<T>, options: InterruptOptions = {}): Promise<T> {
  const source = options.source ?? process;
  const stream = options.stream ?? process.stderr;
  const exit = options.exit ?? (() => process.exit(130));
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) {
      stream.write("\nstopping now, without a checkpoint\n");
      exit();
      return;
    }
    stream.write("\nstopping after this step and saving a checkpoint (press Ctrl-C again to quit without saving)\n");
    controller.abort();
  };
  source.on("SIGINT", onSignal);
  source.on("SIGTERM", onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    source.off("SIGINT", onSignal);
    source.off("SIGTERM", onSignal);
  }
}
