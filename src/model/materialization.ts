// How a candidate is to be put into a workspace, as plain data that a probe job carries: a commit checked out as
// it is, or a configuration of a change written on top of the checkout (narrowing).
import type { FileState } from '../changes/materialize.js';

export type Materialization =
  | { kind: 'checkout'; commit: string }
  | {
      kind: 'configuration';
      commit: string;
      /** Digest of the files it writes: equal digests on one commit are the same candidate. */
      digest: string;
      states: readonly FileState[];
    };
