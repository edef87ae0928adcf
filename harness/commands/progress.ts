import cliProgress from 'cli-progress';
import type { JournalEvent, LayoutName } from '../journal/events.js';

/**
 * The progress line on stderr while a layout runs (cli-progress): elapsed time against the
 * layout's duration, and the counts a person watches for. Drawn only when stderr is a terminal
 * and CI is not set, so logs and pipes get nothing but the header and the result.
 */
export interface Progress {
  /** Returns true when it draws a bar (then the caller prints no plain "running" line). */
  startLayout(layout: LayoutName, durationMs: number): boolean;
  onEvent(event: JournalEvent): void;
  stop(): void;
}

export interface ProgressOptions {
  isTty: boolean;
  env: NodeJS.ProcessEnv;
  write: (text: string) => void;
  stream?: NodeJS.WriteStream;
}

/** CI=true, CI=1, CI=anything but "false" or "0" counts as CI, as most CI tools read it. */
export function shouldShowProgress(isTty: boolean, env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  const inCi = ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
  return isTty && !inCi;
}

export function createProgress(options: ProgressOptions): Progress {
  if (!shouldShowProgress(options.isTty, options.env)) {
    return { startLayout: () => false, onEvent: () => undefined, stop: () => undefined };
  }
  return new TerminalProgress(options.stream ?? process.stderr);
}

class TerminalProgress implements Progress {
  readonly #bar: cliProgress.SingleBar;
  #timer: NodeJS.Timeout | null = null;
  #counts = { ok: 0, bad: 0, waits: 0 };
  #layout: LayoutName | null = null;

  constructor(stream: NodeJS.WriteStream) {
    this.#bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{layout} [{bar}] {elapsed}/{total_s}s  refresh_ok {ok}  invalid_grant {bad}  lock waits {waits}',
        hideCursor: true,
        clearOnComplete: false,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  startLayout(layout: LayoutName, durationMs: number): boolean {
    this.#finishBar();
    this.#layout = layout;
    this.#counts = { ok: 0, bad: 0, waits: 0 };
    const started = Date.now();
    this.#bar.start(durationMs, 0, { layout, total_s: (durationMs / 1000).toFixed(1), elapsed: '0.0', ...this.#counts });
    this.#timer = setInterval(() => {
      const elapsed = Math.min(durationMs, Date.now() - started);
      this.#bar.update(elapsed, { elapsed: (elapsed / 1000).toFixed(1), ...this.#counts });
    }, 200);
    this.#timer.unref();
    return true;
  }

  onEvent(event: JournalEvent): void {
    if (event.layout !== this.#layout) return;

    if (event.type === 'refresh_ok') this.#counts.ok += 1;
    if (event.type === 'invalid_grant') this.#counts.bad += 1;
    if (event.type === 'lock_retry') this.#counts.waits += 1;
  }

  stop(): void {
    this.#finishBar();
  }

  #finishBar(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#layout !== null) {
      // The last counts are drawn before the bar stops, so the line left on screen is the final one.
      this.#bar.update({ ...this.#counts });
      this.#bar.stop();
    }
    this.#layout = null;
  }
}
