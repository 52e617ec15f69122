let lastMs = Number.NaN;
let lastText = "";

/**
 * `new Date(ms).toISOString()`, remembered for the last millisecond asked: a task attempt records
 * two times, and the attempts of a chain of quick tasks mostly share their millisecond, so most
 * calls format nothing. (A cache of one value: no state of any run is kept.)
 */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastText;
}
