let lastMs = Number.NaN;
let lastText = "";
/** The second `secondText` formats (`YYYY-MM-DDTHH:MM:SS.`), in epoch seconds. */
let lastSecond = Number.NaN;
let secondText = "";

/**
 * `new Date(ms).toISOString()`, remembered for the last millisecond and the last second asked: a
 * task attempt records two times, and the attempts of a chain of quick tasks mostly share their
 * millisecond, or at least their second, whose text is then only completed with the milliseconds.
 * (A cache of one value each: no state of any run is kept.)
 */
export function isoTime(ms: number): string {
  if (ms === lastMs) return lastText;
  const second = Math.floor(ms / 1000);
  if (second === lastSecond && Number.isInteger(ms)) {
    const millis = ms - second * 1000;
    lastText = `${secondText}${millis < 10 ? "00" : millis < 100 ? "0" : ""}${millis}Z`;
  } else {
    lastText = new Date(ms).toISOString();
    // Years 0-9999 only (`toISOString` writes others with a sign and six digits).
    if (lastText.length === 24) {
      lastSecond = second;
      secondText = lastText.slice(0, 20);
    }
  }
  lastMs = ms;
  return lastText;
}
