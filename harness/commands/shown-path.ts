import path from 'node:path';

/** A path as the user would type it: relative below the working directory, else absolute. */
export function shownPath(target: string): string {
  const relative = path.relative(process.cwd(), target);
  if (relative === '') return '.';
  return relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(target) : relative;
}
