/**
 * AWS's six-field cron grammar (EventBridge rules and Scheduler), checked field by field so an
 * expression AWS would reject fails when it is defined, naming the field and the fix.
 * Not croner or cron-parser: their grammars are not AWS's. croner 11 (7-part, Quartz weekdays)
 * accepts what AWS rejects (`?` in hours, day-of-week `8`, year `99`) and, without sloppy ranges,
 * rejects `0/5`, which AWS's own examples use; so a library would still need every rule below.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions
 */

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names accepted for values (JAN-DEC, SUN-SAT), in value order from `min`. */
  readonly names?: readonly string[];
  /** Whether `a/n` increments are allowed. */
  readonly step: boolean;
  /** Forms allowed only in this field, alone (`L`, `15W`, `6L`, `2#1`). */
  readonly special?: RegExp;
  readonly hint: string;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const RULES: readonly FieldRule[] = [
  { name: "minutes", min: 0, max: 59, step: true, hint: "0-59" },
  { name: "hours", min: 0, max: 23, step: true, hint: "0-23" },
  {
    name: "day-of-month",
    min: 1,
    max: 31,
    step: true,
    special: /^(L|LW|([1-9]|[12]\d|3[01])W)$/,
    hint: "1-31, `L`, `LW`, `15W` or `?`",
  },
  { name: "month", min: 1, max: 12, names: MONTHS, step: true, hint: "1-12 or JAN-DEC" },
  {
    name: "day-of-week",
    min: 1,
    max: 7,
    names: DAYS,
    step: false,
    special: /^(L|([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5]))$/i,
    hint: "1-7 or SUN-SAT (1 is Sunday), `6L`, `2#1` or `?`",
  },
  { name: "year", min: 1970, max: 2199, step: true, hint: "1970-2199" },
];

/** The problem with one cron expression's fields, or undefined when AWS accepts them. */
export function cronFieldProblem(fields: readonly string[]): string | undefined {
  for (let i = 0; i < RULES.length; i++) {
    const problem = fieldProblem(RULES[i], fields[i]);
    if (problem) return `${RULES[i].name} \`${fields[i]}\` is invalid (${problem}); use ${RULES[i].hint}`;
  }
  const [, , dom, , dow] = fields;
  if ((dom === "?") === (dow === "?")) {
    return "must have `?` in exactly one of day-of-month and day-of-week (AWS rule); e.g. `0 12 * * ? *`";
  }
  return undefined;
}

function fieldProblem(rule: FieldRule, field: string): string | undefined {
  if (field === "?") return rule.special ? undefined : "only day-of-month or day-of-week can be `?`";
  if (rule.special?.test(field)) return undefined;
  for (const item of field.split(",")) {
    const problem = itemProblem(rule, item);
    if (problem) return problem;
  }
  return undefined;
}

/** One comma-separated item: `*`, `v`, `a-b`, and with increments `*\/n`, `a/n`, `a-b/n`. */
function itemProblem(rule: FieldRule, item: string): string | undefined {
  const [range, step, extra] = item.split("/");
  if (extra !== undefined) return `\`${item}\` has more than one \`/\``;
  if (step !== undefined) {
    if (!rule.step) return "this field takes no `/` increments";
    if (!/^\d+$/.test(step) || Number(step) < 1) return `increment \`${step}\` is not a whole number >= 1`;
  }
  if (range === "*") return undefined;
  const bounds = range.split("-");
  if (bounds.length > 2) return `\`${range}\` is not a value or a range \`a-b\``;
  for (const b of bounds) {
    const v = value(rule, b);
    if (v === undefined) return `\`${b}\` is not a value in ${rule.min}-${rule.max}`;
  }
  return undefined;
}

function value(rule: FieldRule, text: string): number | undefined {
  const named = rule.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return rule.min + named;
  if (!/^\d+$/.test(text)) return undefined;
  const v = Number(text);
  return v >= rule.min && v <= rule.max ? v : undefined;
}
