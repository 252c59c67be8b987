// How a candidate is to be put into a workspace, as plain data that a probe job carries: a commit checked out as
// it is, a configuration of a change written on top of the checkout (narrowing), a released version to install, or
// a configuration of factors (files written into a scratch copy of the project, setups run, variables set).
import type { FileState } from '../changes/materialize.js';

export type Materialization =
  | { kind: 'checkout'; commit: string }
  /** A released version: an emptied scratch workspace (with the user's project copied in) that the build installs into. */
  | { kind: 'version'; commit: string }
  | {
      kind: 'configuration';
      commit: string;
      /** Digest of the files it writes: equal digests on one commit are the same candidate. */
      digest: string;
      states: readonly FileState[];
    }
  | {
      kind: 'environment';
      /** The good setup the configuration is written on. */
      commit: string;
      /** Digest of everything it writes, runs and sets: equal digests are the same candidate. */
      digest: string;
      /** Files written into the workspace (a lockfile and package.json for `culprit deps`). */
      states: readonly FileState[];
      /** Setup commands run before the build, in the factors' order. */
      setups: readonly string[];
      env: Readonly<Record<string, string>>;
    };
