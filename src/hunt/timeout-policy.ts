// How long a test run may take before it counts as a hang.
// Without --timeout, a hang must still be caught: 10x the slowest good run, at least 30 s, measured on the endpoints.

const FLOOR_SECONDS = 30;
const FACTOR = 10;
/** Before any good run is measured (e.g. --no-verify), runs get this long. */
const UNMEASURED_SECONDS = 600;

export class TimeoutPolicy {
  private slowestGood: number | undefined;
  private readonly listeners = new Set<(seconds: number) => void>();

  constructor(private readonly explicitSeconds?: number) {}

  observeGood(testSeconds: number | undefined): void {
    if (testSeconds === undefined) return;
    const before = this.seconds;
    this.slowestGood = Math.max(this.slowestGood ?? 0, testSeconds);
    if (this.seconds !== before) for (const listener of this.listeners) listener(this.seconds);
  }

  /** Tells runs already under way when the derived timeout changes (parallel probes start before it is known). */
  subscribe(listener: (seconds: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get seconds(): number {
    if (this.explicitSeconds !== undefined) return this.explicitSeconds;
    if (this.slowestGood === undefined) return UNMEASURED_SECONDS;
    return Math.max(FLOOR_SECONDS, Math.ceil(this.slowestGood * FACTOR));
  }

  /**
   * What a cached verdict must hold under. Until a good run is measured, a derived timeout is only known to be at
   * least the floor: a finished run is reused if it ran within that, a hang not at all.
   */
  get reuseLimits(): { finishedUnder: number; hungFrom: number } {
    if (this.explicitSeconds === undefined && this.slowestGood === undefined) return { finishedUnder: FLOOR_SECONDS, hungFrom: Number.POSITIVE_INFINITY };
    return { finishedUnder: this.seconds, hungFrom: this.seconds };
  }

  get derived(): boolean {
    return this.explicitSeconds === undefined;
  }
}
