// The last stage: the minimal part of the suspect commit's change that still makes the test fail. Picks the
// parent to narrow against (the first; a merge is narrowed as a change of its own) and the failure signature.
import { UsageError } from '../../errors.js';
import { DEFAULT_NARROW_BUDGET } from '../../model/narrow-budget.js';
import { compileSignaturePattern, signatureOf } from '../../probe/failure-signature.js';
import type { HuntContext } from '../hunt-context.js';
import type { Stage, StageOutput, SuspectHandoff } from '../stage.js';

export const narrowingStage: Stage<'suspect'> = {
  name: 'narrowing',
  accepts: 'suspect',
  async run(context: HuntContext, input: SuspectHandoff): Promise<StageOutput> {
    const { args, history } = context;
    const level = args.narrow ?? 'none';
    const commit = input.target;
    if (level === 'none' || commit === null || input.firstBad === null) return { next: input };
    const name = context.name(commit);
    // `culprit narrow`: narrowing is the whole job, so what stops it is an error; after a hunt it is a note.
    const strict = args.narrowOnly ?? false;
    if (args.signature !== undefined) compileSignaturePattern(args.signature);
    const parents = strict ? [args.goods[0] as string] : await history.parents(commit);
    const parent = parents[0];
    if (parent === undefined) {
      context.note(`${name} is a root commit: there is no parent to narrow its change against`);
      return { next: input };
    }
    if (parents.length > 1) {
      context.note(
        args.firstParent && !input.descended
          ? `${name} is a merge found with --first-parent: narrowing what it changed relative to its first parent`
          : `${name} is a merge whose parents both pass: the failure was introduced by the merge itself; narrowing its change against the first parent`,
      );
    }
    // The first bad commit's own probe defines the failure.
    const own = [...context.probes].reverse().find((probe) => probe.commit === commit && probe.configuration === null && probe.searchVerdict === 'bad');
    const badProbe = own ?? (await context.probeOne({ commit, phase: 'narrow' }));
    const signature = signatureOf(badProbe, args.signature);
    if (!signature) {
      context.note(`${name} did not fail the test itself (it ${badProbe.outcome.kind === 'build-failed' ? 'failed to build' : `was ${badProbe.verdict}`}): nothing to narrow`);
      return { next: input };
    }
    // Loaded when needed: the change tree and jsdiff are not part of a plain bisection's start-up.
    const { narrowCommit } = await import('../narrow.js');
    try {
      const narrowing = await narrowCommit({
        context,
        parent,
        commit,
        originalBad: args.bad === commit ? null : args.bad,
        deepest: level,
        signature,
        ...(args.narrowCheck === undefined ? {} : { check: args.narrowCheck }),
        budget: args.narrowBudget ?? DEFAULT_NARROW_BUDGET,
      });
      return { result: { stage: 'narrowing', ...narrowing }, next: input };
    } catch (error) {
      // After a hunt the first bad commit stands on its own; a change that cannot be narrowed is worth a note only.
      if (strict || !(error instanceof UsageError)) throw error;
      context.note(`not narrowed: ${error.message}`);
      return { next: input };
    }
  },
};
