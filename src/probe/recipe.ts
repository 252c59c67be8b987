// The recipe: everything that decides how a candidate is built and tested and what its outcome means.
// The type lives in model/ (the store and reports keep it too); its text forms in text/.
export type { BuildFailureMeaning, HangMeaning, Recipe } from '../model/recipe.js';
export { describeCommand, shellQuote } from '../text/format.js';
