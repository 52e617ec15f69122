/**
 * The DAG the scheduler works on: nodes are int ids in topological (call) order, sets of nodes
 * are ascending id arrays, and membership tests use a stamped Int32Array instead of hash sets,
 * so every pass over a set costs O(nodes + edges) with no garbage beyond its result.
 */

/** Integer-indexed DAG with scratch space for set-restricted passes. */
export class Dag {
  /** `pred[i]`: the ids node `i` waits for, each smaller than `i`. */
  readonly pred: readonly (readonly number[])[];
  readonly succ: number[][];
  private readonly mark: Int32Array;
  private stamp = 0;

  constructor(pred: readonly (readonly number[])[]) {
    this.pred = pred.map((ps) => [...new Set(ps)]);
    this.succ = pred.map(() => []);
    this.pred.forEach((ps, i) => {
      for (const p of ps) this.succ[p].push(i);
    });
    this.mark = new Int32Array(pred.length);
  }

  /**
   * Marks `set` and returns its tag: `this.has(tag, v)` is true for members until the next
   * `tag` call (callers finish their membership tests before recursing).
   */
  tag(set: readonly number[]): number {
    const t = ++this.stamp;
    for (const v of set) this.mark[v] = t;
    return t;
  }

  has(tag: number, v: number): boolean {
    return this.mark[v] === tag;
  }

  /** The weakly connected components of `set`, each ascending, ordered by their first node. */
  components(set: readonly number[]): number[][] {
    const inSet = this.tag(set);
    const seen = ++this.stamp;
    const groups: number[][] = [];
    for (const start of set) {
      if (this.mark[start] === seen) continue;
      const group = [start];
      this.mark[start] = seen;
      for (let k = 0; k < group.length; k++) {
        const n = group[k];
        for (const list of [this.pred[n], this.succ[n]])
          for (const m of list) {
            if (this.mark[m] !== inSet) continue;
            this.mark[m] = seen;
            group.push(m);
          }
      }
      groups.push(group.length > 1 ? group.sort((a, b) => a - b) : group);
    }
    return groups;
  }

  /** Longest path (in nodes) from a source of `set` to each member, indexed like `set`. */
  levels(set: readonly number[]): Int32Array {
    const inSet = this.tag(set);
    const at = new Map<number, number>();
    const asap = new Int32Array(set.length);
    set.forEach((n, i) => {
      let level = 0;
      for (const p of this.pred[n]) if (this.mark[p] === inSet) level = Math.max(level, asap[at.get(p)!] + 1);
      asap[i] = level;
      at.set(n, i);
    });
    return asap;
  }

  /**
   * Splits a connected `set` at every exact cut: a cut where every later node already waits
   * for every earlier one, so running the parts in sequence adds no constraint. A chain splits
   * into single nodes in one pass. Returns the parts in order (one part when there is no cut).
   */
  seriesParts(set: readonly number[]): number[][] {
    const asap = this.levels(set);
    const inSet = this.tag(set);
    const local = new Map<number, number>();
    set.forEach((n, i) => local.set(n, i));
    // Every exact cut lies between two ASAP levels L and L+1 (a later node waits for all earlier
    // ones, so it sits above all of them). It is exact when each node of level L+1 waits directly
    // on every sink of the prefix; a prefix node p is a sink for L exactly when its lowest
    // successor level is L+1.
    const depth = set.length ? Math.max(...asap) : 0;
    const minSucc = new Int32Array(set.length).fill(depth + 1);
    set.forEach((n, i) => {
      for (const s of this.succ[n]) if (this.mark[s] === inSet) minSucc[i] = Math.min(minSucc[i], asap[local.get(s)!]);
    });
    const sinksFrom = new Int32Array(depth + 2);
    set.forEach((_, i) => {
      sinksFrom[asap[i]]++;
      sinksFrom[minSucc[i]]--;
    });
    const exact = new Uint8Array(depth + 1).fill(1);
    let sinks = 0;
    const sinkCount = new Int32Array(depth + 1);
    for (let l = 0; l <= depth; l++) sinkCount[l] = sinks += sinksFrom[l];
    set.forEach((n, i) => {
      if (asap[i] === 0) return;
      let direct = 0;
      for (const p of this.pred[n]) if (this.mark[p] === inSet && minSucc[local.get(p)!] === asap[i]) direct++;
      if (direct !== sinkCount[asap[i] - 1]) exact[asap[i] - 1] = 0;
    });
    const partOf = new Int32Array(depth + 1);
    for (let l = 1; l <= depth; l++) partOf[l] = partOf[l - 1] + exact[l - 1];
    const parts: number[][] = Array.from({ length: partOf[depth] + 1 }, () => []);
    set.forEach((n, i) => parts[partOf[asap[i]]].push(n));
    return parts;
  }
}
