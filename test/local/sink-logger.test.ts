import { describe, expect, it } from "vitest";
import { type LogLine, sinkLogger } from "../../sdk/local/private/sink-logger.ts";

describe("sinkLogger", () => {
  it("hands the sink every line at or above its level, with its keys", () => {
    const lines: LogLine[] = [];
    const logger = sinkLogger("INFO", (line) => lines.push(line));
    logger.debug("not shown", {});
    logger.info("shown", { runId: "r1" });
    logger.error("also shown", {});
    sinkLogger("DEBUG", (line) => lines.push(line)).debug("shown at DEBUG", {});
    sinkLogger("SILENT", (line) => lines.push(line)).error("silenced", {});
    expect(lines.map((l) => [l.level, l.message])).toStrictEqual([
      ["INFO", "shown"],
      ["ERROR", "also shown"],
      ["DEBUG", "shown at DEBUG"],
    ]);
    expect(lines[0]).toStrictEqual({ level: "INFO", message: "shown", runId: "r1" });
  });
});
