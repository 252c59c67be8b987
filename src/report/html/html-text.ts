// Safe HTML by construction: the `html` tag escapes every value it interpolates unless it is already Html, so a
// commit subject, a log tail or a file name can never become markup in a report someone else opens.

/** Markup that is safe to insert as is: built by the `html` tag, or trusted (diff2html's escaped output). */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return (value as readonly Value[]).map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<td>${subject}</td>\`` with `subject` escaped; arrays are joined, null/undefined/booleans render nothing. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    text += render(value) + (strings[index + 1] ?? '');
  });
  return new Html(text);
}

/** Markup from a source that escaped it already (diff2html). */
export function trusted(text: string): Html {
  return new Html(text);
}

export function joinHtml(parts: readonly Html[], separator = ''): Html {
  return new Html(parts.map((part) => part.text).join(separator));
}

/** A number as a report prints it: integers whole, others to `digits` significant figures. */
export function numberText(value: number, digits = 4): string {
  return Number.isInteger(value) ? String(value) : Number(value.toPrecision(digits)).toString();
}
