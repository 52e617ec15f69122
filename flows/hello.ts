/**
 * The smallest flow: say hello, then shout it. Run it locally with
 * `npx stepflow run flows/hello.ts --param name=Ada`.
 */

import { flow, rate, task } from "stepflow";
import { z } from "zod";

export const greet = task("greet", (name: string) => `Hello, ${name}!`);

export const shout = task("shout", { retries: 2 }, (text: string) => text.toUpperCase());

export const hello = flow(
  "hello",
  {
    params: z.object({ name: z.string().default("world") }),
    schedules: [rate("1 day", {}, { enabled: false })],
    description: "Greets someone, loudly.",
  },
  ({ name }) => shout(greet(name)),
);
