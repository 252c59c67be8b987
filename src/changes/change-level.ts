// The levels a change is narrowed through, coarsest first: kept apart from the change tree so that parsing
// `--narrow` does not load the diff library.
export const LEVELS = ['file', 'hunk', 'block', 'line', 'token'] as const;
export type ChangeLevel = (typeof LEVELS)[number];
