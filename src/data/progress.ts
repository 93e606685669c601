/** Where a progress bar writes: a stream with `write`, and `isTTY` when it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/**
 * A progress bar for long work: count, rate, elapsed and estimated time left, plus
 * any metrics the caller passes (loss, PSNR). On a terminal it redraws one line at
 * most ten times a second; elsewhere (logs, CI) it prints a line every 10% or 30 s.
 */
export class ProgressBar {
  private done = 0;
  private readonly started: number;
  private lastDraw = 0;
  private lastLoggedDecile = -1;
  /** Item count of the last line logged off a terminal. */
  private lastLoggedCount = -1;
  private lastLoggedTime: number;
  private metrics = "";

  constructor(
    private readonly options: { label: string; total: number; unit?: string; stream?: ProgressStream; now?: () => number },
  ) {
    this.started = this.now();
    this.lastLoggedTime = this.started;
  }

  private now(): number {
    return (this.options.now ?? (() => performance.now() / 1000))();
  }

  private get stream(): ProgressStream {
    return this.options.stream ?? process.stderr;
  }

  /** Adds `count` finished items and sets the metrics shown (e.g. `{ loss: 0.01 }`). */
  tick(count = 1, metrics?: Readonly<Record<string, number | string>>): void {
    this.done += count;
    if (metrics) {
      this.metrics = Object.entries(metrics)
        .map(([k, v]) => `${k} ${typeof v === "number" ? formatNumber(v) : v}`)
        .join("  ");
    }
    const t = this.now();
    if (this.stream.isTTY) {
      if (t - this.lastDraw >= 0.1 || this.done >= this.options.total) {
        this.lastDraw = t;
        this.stream.write(`\r${this.line(t)}\x1b[K`);
      }
      return;
    }
    const decile = this.options.total > 0 ? Math.floor((10 * this.done) / this.options.total) : 10;
    if (decile > this.lastLoggedDecile || t - this.lastLoggedTime >= 30) {
      this.lastLoggedDecile = decile;
      this.lastLoggedTime = t;
      this.lastLoggedCount = this.done;
      this.stream.write(`${this.line(t)}\n`);
    }
  }

  /** Ends the bar with a final line (off a terminal, unless the last line logged is already final). */
  finish(): void {
    if (!this.stream.isTTY && this.lastLoggedCount === this.done) return;
    const t = this.now();
    this.stream.write(`${this.stream.isTTY ? "\r" : ""}${this.line(t)}${this.stream.isTTY ? "\x1b[K" : ""}\n`);
  }

  /** The current status line. */
  line(t = this.now()): string {
    const { label, total, unit = "it" } = this.options;
    const elapsed = t - this.started;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const left = rate > 0 ? (total - this.done) / rate : Infinity;
    const fraction = total > 0 ? Math.min(1, this.done / total) : 1;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
    const parts = [
      `${label} [${bar}] ${this.done}/${total}`,
      `${formatNumber(rate)} ${unit}/s`,
      `${formatDuration(elapsed)} elapsed, ${this.done >= total ? "done" : `${formatDuration(left)} left`}`,
    ];
    if (this.metrics) parts.push(this.metrics);
    return parts.join("  ");
  }
}

function formatNumber(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
}
