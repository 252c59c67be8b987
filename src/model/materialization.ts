// How a candidate is to be put into a workspace, as plain data that a probe job carries: a commit checked out as
// it is, a configuration of a change written on top of the checkout (narrowing), or a released version to install.
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
    };
