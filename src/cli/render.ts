// Terminal rendering of a hunt: one progress line per probe on stderr, and the human-readable result.
// Machine-readable output (--json) is report/hunt-document.ts; this file never writes to stdout for data.
import type { HuntObserver, HuntProbe, HuntResult, SearchProgress } from '../hunt/hunt-types.js';
import { answersWithVersion, type StageResult } from '../model/stage-results.js';
import { LISTED } from '../model/versions-spec.js';
import { factorsCounts, factorsDetails, factorsHeadline, factorText } from '../report/factors-text.js';
import { stageText } from '../report/stage-sections.js';
import { gitDate, roughDuration, short } from '../text/format.js';

export type Write = (text: string) => void;

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function steps(progress: SearchProgress): string {
  const unit = progress.worker === undefined ? 'step' : 'round';
  const eta = progress.etaSeconds === undefined || progress.stepsLeft === 0 ? '' : `, ETA ${roughDuration(progress.etaSeconds)}`;
  // Two candidates left still take a probe to tell apart, whatever the estimate rounds to.
  const left = progress.candidatesLeft > 1 ? Math.max(1, progress.stepsLeft) : progress.stepsLeft;
  return `${progress.candidatesLeft} candidate${progress.candidatesLeft === 1 ? '' : 's'} left (~${left} ${unit}${left === 1 ? '' : 's'}${eta})`;
}

type Space = 'commits' | 'versions' | 'factors';

export function probeLine(probe: HuntProbe, progress: SearchProgress | undefined, space: Space = 'commits'): string {
  const phase = probe.phase === 'bisect' ? '' : ` ${probe.phase}`;
  // A crash (exit 128 or more, a signal culprit did not send) is no verdict: it stops the hunt, and says so.
  const verdict = (probe.searchVerdict === 'abort' ? 'abort' : probe.verdict).padEnd(4);
  // A version's build step is its install.
  const built = space === 'versions' ? 'install' : 'build';
  const detail = probe.outcome.kind === 'build-failed' ? ` (${built} failed)` : probe.build === 'restored' ? ` (${built} restored)` : '';
  const tail = progress?.leader
    ? `  likeliest ${short(progress.leader.commit)} at ${progress.leader.probability.toFixed(3)}`
    : progress && (probe.phase === 'bisect' || progress.worker !== undefined)
      ? `  ${steps(progress)}`
      : '';
  const worker = progress?.worker === undefined ? '' : ` [w${progress.worker}]`;
  // A verdict that did not run now says where it came from instead of how long it took.
  const time = probe.source === 'run' ? `${probe.seconds.toFixed(2)}s` : probe.source;
  return `step ${String(probe.step).padStart(2)}${phase}${worker}  ${short(probe.commit)}  ${verdict}${detail}  ${time}  ${clip(probe.subject, 60)}${tail}`;
}

/**
 * Progress on stderr. Lines of the preflight (endpoint checks, merge bases) are held until bisection starts:
 * when the input is wrong, the user sees one line saying so, not the probes that found it out.
 */
export class ProgressPrinter {
  private held: string[] | undefined = [];
  /** With several workers: what each is probing now. */
  private readonly busy = new Map<number, string>();
  /** What the probes search now: released versions first, then (after a hand-off) commits. */
  private space: Space = 'commits';
  /** What a hunt over factors calls its factors: `factor`, or `package change`. */
  private unit: string | undefined;

  constructor(private readonly write: Write) {}

  private emit(line: string): void {
    if (this.held) this.held.push(line);
    else this.write(line);
  }

  /** Prints what was held; called when bisection starts, when the hunt ends, or on an error worth the context. */
  flush(): void {
    for (const line of this.held ?? []) this.write(line);
    this.held = undefined;
  }

  /** Drops what was held: the hunt stopped on bad input, which its error line explains. */
  discard(): void {
    this.held = undefined;
  }

  private workers(): string {
    return [...this.busy.entries()]
      .sort(([a], [b]) => a - b)
      .map(([worker, commit]) => `w${worker} ${short(commit)}`)
      .join(', ');
  }

  observer(): HuntObserver {
    return {
      attached: (info) => {
        if (info.finished) this.emit(`culprit: hunt ${info.hunt} has already finished; its result:\n`);
        else if (info.resumed) this.emit(`culprit: hunt ${info.hunt}, resumed with ${info.probesDone} probe${info.probesDone === 1 ? '' : 's'} already done\n`);
        else this.emit(`culprit: hunt ${info.hunt} (if it stops, continue it with: culprit resume ${info.hunt})\n`);
      },
      started: (info) => {
        this.space = info.space;
        this.unit = info.unit;
        const pace = info.workers > 1 ? `~${info.steps} rounds on ${info.workers} workers` : `~${info.steps} steps`;
        if (info.space === 'factors') {
          const noun = info.unit ?? 'factor';
          const between = noun === 'factor' ? 'each at its good or its bad side' : `between ${info.goods.join(', ')} (good) and ${info.bad} (bad)`;
          this.emit(`culprit: ${info.candidates} ${noun}${info.candidates === 1 ? '' : 's'} ${between}; each needed one costs ${pace}\n`);
          this.emit(`culprit: probes run in ${info.workspace}\n`);
          return;
        }
        // `culprit narrow` searches no commits: it narrows one change, which may span several of them.
        if (info.narrowOnly) this.emit(`culprit: narrowing the change from ${info.goods.map(short).join(', ')} (good) to ${short(info.bad)} (bad)${info.candidates > 1 ? `, which spans ${info.candidates} commits` : ''}\n`);
        else this.emit(`culprit: ${info.candidates} candidate${info.candidates === 1 ? '' : 's'} between ${info.goods.map(short).join(', ')} (good) and ${short(info.bad)} (bad), ${pace}\n`);
        this.emit(`culprit: probes run in ${info.workspace}\n`);
      },
      probeFinished: (probe, progress) => {
        if (progress?.worker !== undefined) this.busy.delete(progress.worker);
        this.emit(`${probeLine(probe, progress, this.space)}\n`);
        if (progress?.worker !== undefined && this.busy.size > 0) this.emit(`         now: ${this.workers()}\n`);
      },
      searching: () => this.flush(),
      workerStarted: (info) => this.busy.set(info.worker, info.commit),
      workerCancelled: (info) => {
        this.busy.delete(info.worker);
        this.emit(`cancel   [w${info.worker}]  ${short(info.commit)}  its answer no longer matters\n`);
      },
      note: (message) => this.emit(`culprit: ${message}\n`),
      factorProbe: (probe, outcome, factors) => {
        const time = probe.source === 'run' ? `${probe.seconds.toFixed(2)}s` : probe.source;
        const phase = probe.phase === 'verify' ? 'verify' : '      ';
        // A configuration's build step is its install (lockfiles) or its setups (factors); a hang reads as one.
        const step = this.unit === 'factor' ? 'setup' : 'install';
        const built = probe.outcome.kind === 'build-failed' ? ` (${step} failed)` : probe.build === 'restored' ? ` (${step} restored)` : '';
        const shown = probe.outcome.kind === 'hung' ? `hang → ${outcome}` : outcome;
        this.emit(`factor ${String(probe.step).padStart(2)} ${phase}  ${`${shown}${built}`.padEnd(10)}  ${time}  ${clip(factors, 100)}\n`);
      },
      narrowingPredicted: (what) => {
        this.emit(`narrow --  (no test)  unresolved  ${what}\n`);
      },
      narrowingProbe: (probe, outcome, what) => {
        const time = probe.source === 'run' ? `${probe.seconds.toFixed(2)}s` : probe.source;
        const shown = probe.outcome.kind === 'check-failed' ? `${outcome} (check failed)` : outcome;
        this.emit(`narrow ${String(probe.step).padStart(2)}  ${short(probe.commit)}  ${shown.padEnd(10)}  ${time}  ${what}\n`);
      },
    };
  }
}

/** A hunt over versions that did not go on into a source names a version, not a commit. */
function versionHeadline(result: HuntResult): string[] | undefined {
  const versions = result.versions;
  if (!versions || !answersWithVersion(result.record.vcs, result.stages)) return undefined;
  const of = versions.origin === LISTED ? '' : ` of ${versions.origin}`;
  if (versions.firstBad) return [`${versions.firstBad} is the first bad version${of} (${versions.lastGood ?? 'none'} is the last good one)`];
  return [`Skipped versions hide the first bad version${of}; it is one of: ${versions.candidates.join(', ')}`];
}

/** A hunt over factors: the ones the failure needs, then the counts; its probes are all configurations. */
function renderFactors(result: HuntResult, factors: NonNullable<HuntResult['factors']>): string {
  const lines = [factorsHeadline(factors), ...factors.needed.map((factor) => `    ${factorText(factor)}`), ...factorsDetails(factors)];
  // The releases of the one package to blame, when --bisect-versions went on to them.
  for (const stage of result.stages) if (stage.stage === 'versions') lines.push(...stageText(stage, false));
  const ran = result.narrowingProbes.filter((probe) => probe.source === 'run');
  const reused = result.narrowingProbes.length - ran.length;
  const store = reused === 0 ? '' : ` (${reused} answered from the store)`;
  lines.push('', `Hunt ${result.hunt}: ${factorsCounts(factors)}${store}, ${ran.reduce((sum, probe) => sum + probe.seconds, 0).toFixed(1)} s of probing`);
  return `${lines.join('\n')}\n`;
}

export function renderResult(result: HuntResult, color = false): string {
  if (result.factors) return renderFactors(result, result.factors);
  const lines: string[] = [];
  const headline = versionHeadline(result);
  // After a hand-off, the story reads in its order: the releases, then the commit found between two of them.
  const handedOff = !headline && result.stages.some((stage) => stage.stage === 'source');
  const above = (stage: StageResult): boolean => handedOff && (stage.stage === 'versions' || stage.stage === 'source');
  if (handedOff) lines.push(...result.stages.filter(above).flatMap((stage) => stageText(stage, color)).filter((line) => line !== ''), '');
  if (headline) lines.push(...headline);
  else if (result.firstBad) {
    const bad = result.firstBad;
    if (bad.since) lines.push(`The change from ${bad.since} (good) to ${bad.commit} (bad) spans several commits; narrowed as one change. The bad one's:`);
    else lines.push(`${bad.commit} is the first bad commit`);
    lines.push(`Author: ${bad.author}`);
    lines.push(`Date:   ${gitDate(bad.date)}`);
    lines.push('', `    ${bad.subject}`, '');
    lines.push(`Changed files (${bad.files.length}):`);
    for (const file of bad.files.slice(0, 50)) lines.push(`    ${file}`);
    if (bad.files.length > 50) lines.push(`    … and ${bad.files.length - 50} more`);
  } else {
    lines.push('Skipped commits hide the first bad commit; it is one of:');
    for (const commit of result.candidates) lines.push(`    ${commit}`);
  }
  const counted = result.probes.filter((probe) => probe.phase !== 'verify').length;
  const ran = result.probes.filter((probe) => probe.source === 'run');
  const reused = result.probes.filter((probe) => probe.source !== 'run').length;
  const reuse = reused === 0 ? '' : `; ${reused} answered from the store, ${ran.length} run`;
  const parallel = result.workspaces ? `, ${result.rounds} round${result.rounds === 1 ? "" : "s"} on ${result.workspaces.length} workers` : '';
  // The same totals as `culprit show` and the reports: narrowing's probes are probes too.
  const narrowingRan = result.narrowingProbes.filter((probe) => probe.source === 'run');
  const narrowed = result.narrowingProbes.length === 0 ? '' : ` and ${result.narrowingProbes.length} narrowing probe${result.narrowingProbes.length === 1 ? '' : 's'}`;
  const seconds = [...ran, ...narrowingRan].reduce((sum, p) => sum + p.seconds, 0);
  lines.push('', `Hunt ${result.hunt}: ${result.probes.length} probes (${counted} after the endpoints${reuse})${narrowed}, ${seconds.toFixed(1)} s of probing${parallel}`);
  const cached = [...result.probes, ...result.narrowingProbes].filter((probe) => probe.source === 'cached').length;
  // Reused verdicts are only as good as the recipe key: what the key cannot see, the user must say.
  if (cached > 0) lines.push(`${cached} verdict${cached === 1 ? '' : 's'} reused from the cache (earlier runs of the same trees and recipe); pass --no-cache if something outside the tree changed`);
  if (result.reproduce) lines.push(`Reproduce: ${result.reproduce}`);
  for (const stage of result.stages.filter((stage) => !above(stage))) lines.push(...stageText(stage, color));
  return `${lines.join('\n')}\n`;
}
