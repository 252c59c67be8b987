// How long probes take in this hunt, measured as they finish: the ETA shown in the progress, and how young a
// parallel probe must be for re-planning to move it rather than let it run.

/** Before anything is measured, a probe younger than this is still cheap to move. */
const UNMEASURED_FRESH_MS = 500;
/** A probe that has used less than this share of a typical probe's time is moved rather than left to finish. */
const FRESH_SHARE = 0.2;

export class ProbeClock {
  private total = 0;
  private count = 0;

  observe(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.total += seconds;
    this.count += 1;
  }

  /** Mean wall time of the probes that ran, or undefined before the first. */
  get meanSeconds(): number | undefined {
    return this.count === 0 ? undefined : this.total / this.count;
  }

  freshMs(): number {
    const mean = this.meanSeconds;
    return mean === undefined ? UNMEASURED_FRESH_MS : Math.max(50, mean * 1000 * FRESH_SHARE);
  }

  /** The time `rounds` more probes in a row would take, once a probe has been timed. */
  eta(rounds: number): { etaSeconds?: number } {
    const mean = this.meanSeconds;
    return mean === undefined ? {} : { etaSeconds: Math.round(rounds * mean) };
  }
}
