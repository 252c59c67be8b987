// JSON with every object's keys sorted, at every level: the same value always gives the same text, whatever order
// it was built in. What cache keys are digests of, and what queue messages are signed over.

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, field]) => field !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  const text = JSON.stringify(value);
  // undefined, a function or a symbol has no JSON: a key or a signature must never silently drop it.
  if (text === undefined) throw new TypeError(`no canonical JSON for a ${typeof value}`);
  return text;
}
