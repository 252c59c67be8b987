// The hand-off from released versions to their source: the last good and the first bad version become revisions
// of the repository they were built from, and a commit hunt's stages run there, in the same hunt and record.
import { UsageError } from '../../errors.js';
import { openHistory } from '../../history/open-history.js';
import type { SourceResult } from '../../model/stage-results.js';
import type { HuntContext } from '../hunt-context.js';
import { prepareHunt, rangeOf, searchArguments } from '../hunt-preparation.js';
import { nearestSourceRevision } from '../source-revisions.js';
import { runStages, type AnyStage, type Stage, type StageOutput, type VersionsHandoff } from '../stage.js';

/** A stage that runs `commitStages` in the source repository between the revisions of the two versions. */
export function sourceStage(commitStages: readonly AnyStage[]): Stage<'versions'> {
  return {
    name: 'source',
    accepts: 'versions',
    async run(context: HuntContext, input: VersionsHandoff): Promise<StageOutput> {
      const { args } = context;
      const spec = args.versions;
      const source = spec?.source;
      if (!spec || !source) throw new Error('internal: a hand-off to the source without a source');
      if (input.lastGood === null) throw new Error('internal: no good version to hand off from');
      const history = await openHistory(source.repo, source.vcs);
      // The hunt's own endpoints were checked to have tags before it began; versions between them may lack one.
      const good = await nearestSourceRevision(history, spec, input.lastGood, args.goods[0] ?? input.lastGood);
      const bad = await nearestSourceRevision(history, spec, input.firstBad, args.bad);
      const untagged: string[] = [];
      for (const [found, wanted] of [[good, input.lastGood], [bad, input.firstBad]] as const) {
        if (found.version === wanted) continue;
        untagged.push(wanted);
        context.note(`${wanted} has no tag in ${history.root}; searching from ${found.version} (${found.via}), the nearest tagged version`);
      }
      if (good.revision === bad.revision) {
        throw new UsageError(`versions ${good.version} (${good.via}) and ${bad.version} (${bad.via}) name the same revision of ${history.root}`, 'the change is not in this repository: check the --tag pattern, or look at how the two were built');
      }
      const prepared = await prepareHunt({
        repo: source.repo,
        ...(source.vcs === undefined ? {} : { vcs: source.vcs }),
        goods: [good.revision],
        bad: bad.revision,
        recipe: source.recipe,
        firstParent: source.firstParent ?? false,
        ...searchArguments(args),
      });
      const result: SourceResult = {
        stage: 'source',
        repo: prepared.history.root,
        vcs: prepared.history.kind === 'hg' ? 'hg' : 'git',
        good: { version: good.version, revision: good.revision, via: good.via },
        bad: { version: bad.version, revision: bad.revision, via: bad.via },
        ...(untagged.length > 0 ? { untagged } : {}),
      };
      context.note(`${good.version} is ${good.via} and ${bad.version} is ${bad.via} in ${prepared.history.root}: ${prepared.candidates} commit${prepared.candidates === 1 ? '' : 's'} to search there`);
      const session = await context.continueIn(prepared);
      try {
        const { results, last } = await runStages(session.context, commitStages, rangeOf(prepared));
        context.rounds += session.context.rounds;
        return { result, inner: results, next: last };
      } catch (error) {
        // A wrong endpoint here is the source test's (or the tags'), not the user's versions: say where it was found.
        if (error instanceof UsageError) {
          const log = /log: \S+/.exec(error.hint ?? '')?.[0];
          const hint = `check --source-test (it runs in each checkout of the source${args.versions?.project ? ', with your project' : ''}) and --tag${log ? `; ${log}` : ''}`;
          throw new UsageError(`after the hand-off to ${prepared.history.root} (${good.version} is ${good.via}, ${bad.version} is ${bad.via}): ${error.message}`, hint);
        }
        throw error;
      } finally {
        session.close();
      }
    },
  };
}
