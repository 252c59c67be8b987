// How a candidate is put into a workspace: a commit checked out as it is, a configuration of a change written
// on top of a checkout (narrowing), a scratch workspace emptied for a released version (its build installs it), or a
// scratch copy of the project with a configuration of factors written into it.
import type { Materialization } from '../model/materialization.js';
import { writeConfiguration } from './configuration-writer.js';
import type { Workspace } from './workspace.js';

export type { Materialization } from '../model/materialization.js';

/** Puts the workspace at the candidate; `clean` removes ignored files too (no incremental build). */
export async function materialize(workspace: Workspace, candidate: Materialization, options: { clean: boolean }): Promise<void> {
  await workspace.checkout(candidate.commit, { clean: options.clean });
  if (candidate.kind === 'configuration' || candidate.kind === 'environment') writeConfiguration(workspace.directory, candidate.states);
}
