// Time is a seam: core arms timers only through this, so tests can drive them with a fake clock.
export interface TimerHandle { cancel(): void }

export interface Clock {
  /** milliseconds, monotonic */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};
