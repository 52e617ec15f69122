/** Grouping for the example flows (and their tests and bench), as `Map.groupBy`, which Node 20 lacks. */

/**
 * The items grouped by `key`: groups in the order their first item comes, items in input order.
 * @example groupBy(rows, (r) => r.day) // Map { "2024-01-01" => [r1, r3], "2024-01-02" => [r2] }
 */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
