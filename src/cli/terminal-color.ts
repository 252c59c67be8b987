// Whether output goes to a terminal that wants colour: NO_COLOR is honoured, and FORCE_COLOR too.
// The CLI decides; reports only take a yes or no.

/** Whether stdout is a terminal that wants colour (NO_COLOR is honoured, FORCE_COLOR too). */
export function wantsColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
