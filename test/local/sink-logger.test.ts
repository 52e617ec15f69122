import { describe, expect, it } from "vitest";
import { type LogLine, sinkLogger } from "../../sdk/local/private/sink-logger.ts";

describe("sinkLogger", () => {
  it("hands the sink every line at or above its level, with its keys, and follows a level change", () => {
    const lines: LogLine[] = [];
    const logger = sinkLogger("INFO", (line) => lines.push(line));
    logger.debug("not shown");
    logger.info("shown", { runId: "r1" });
    logger.error("also shown");
    logger.setLogLevel("DEBUG");
    logger.debug("now shown");
    logger.setLogLevel("SILENT");
    logger.error("silenced");
    expect(lines.map((l) => [l.level, l.message])).toStrictEqual([
      ["INFO", "shown"],
      ["ERROR", "also shown"],
      ["DEBUG", "now shown"],
    ]);
    expect(lines[0].runId).toBe("r1");
  });
});
