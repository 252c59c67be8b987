// `culprit resume [ID]`: continues a stopped hunt (the newest unfinished one of the repository by default);
// a finished hunt prints its stored result.
import { UsageError } from '../errors.js';
import { resumeHunt } from '../hunt/resume.js';
import { huntSession } from './hunt-session.js';
import { jobsOption, narrowBudgetOption, queueOptions, vcsOption } from './option-parsers.js';

export function huntId(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new UsageError(`a hunt id is a positive number, got '${value}'`, 'list the recorded hunts with: culprit hunts');
  return Number(value);
}

export function resumeCommandLine(id: string | undefined, options: Record<string, unknown>): Promise<number> {
  return huntSession(options, async ({ observer, signal }) => {
    const wanted = huntId(id);
    const outcome = await resumeHunt({
      ...(wanted === undefined ? {} : { id: wanted }),
      repo: String(options.repo ?? '.'),
      ...(options.vcs === undefined ? {} : { vcs: vcsOption(options.vcs) }),
      ...(typeof options.store === 'string' ? { store: options.store } : {}),
      ...(typeof options.workdir === 'string' ? { workdir: options.workdir } : {}),
      ...(options.jobs === undefined ? {} : { jobs: jobsOption(options.jobs) }),
      ...queueOptions(options),
      ...(options.forceRecipe === true ? { forceRecipe: true } : {}),
      ...(options.narrowBudget === undefined ? {} : { narrowBudget: narrowBudgetOption(options.narrowBudget) ?? {} }),
      signal,
      observer,
    });
    if (outcome.alreadyFinished) {
      observer.attached?.({ hunt: outcome.result.hunt, resumed: true, probesDone: outcome.result.probes.length, finished: true });
    }
    return outcome.result;
  });
}
