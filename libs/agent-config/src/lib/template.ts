const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}|\{([\w.-]+)\}/g;

/**
 * Fills `{column}` (or `{{column}}`) placeholders from a CSV row. A placeholder with no value
 * renders empty; `findMissingVariables` lets callers say so instead of guessing.
 */
export function renderTemplate(template: string, variables: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_, double: string | undefined, single: string | undefined) => variables[(double ?? single) as string] ?? '');
}

export function findMissingVariables(template: string, variables: Record<string, string>): string[] {
  const missing = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? match[2];
    if (!(name in variables)) missing.add(name);
  }
  return [...missing];
}
