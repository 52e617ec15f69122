/**
 * `base`, or `base (2)`, `base (3)`, ... : the first state name not in `names`, which it then
 * reserves there.
 */
export function uniqueName(names: Set<string>, base: string): string {
  let name = base;
  for (let i = 2; names.has(name); i++) name = `${base} (${i})`;
  names.add(name);
  return name;
}
