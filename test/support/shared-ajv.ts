/**
 * asl-validator with its JSON Schema compiled once per process. asl-validator builds a new Ajv
 * and compiles the whole ASL schema on every call (~180 ms of CPU, most of a compiler test's
 * time). The instance keeps nothing of a definition but `errors`, which each validation sets, and
 * the formats it adds are the same functions on every call with the same options; so while a
 * check runs, the Ajv it constructs is the one built before for the same schemas (asl-validator 4
 * of these tests and asl-validator 3 inside aws-local-stepfunctions each get their own). The
 * checks are asl-validator's, unchanged; only their compilation is shared.
 */
import { createRequire } from "node:module";

type KeywordDefinition = string | { readonly keyword: string | readonly string[] };
interface Ajv {
  addKeyword(definition: KeywordDefinition): Ajv;
  getKeyword(keyword: string): unknown;
}
type AjvClass = new (options: { readonly schemas?: readonly object[] }) => Ajv;

/** The `ajv` module asl-validator loads (each asl-validator copy resolves the same one here). */
const ajvModule = createRequire(createRequire(import.meta.url).resolve("asl-validator"))("ajv") as {
  default: AjvClass;
};
/** An Ajv per schema set: keyed by the first schema object the validator passes. */
const shared = new WeakMap<object, Ajv>();

/** The Ajv class asl-validator constructs when nothing is shared. */
const Real = ajvModule.default;

/** Constructed by asl-validator in place of Ajv: the instance built before for the same schemas. */
function SharedAjv(options: { readonly schemas?: readonly object[] }): Ajv {
  const key = options.schemas?.[0];
  if (!key) return new Real(options);
  let ajv = shared.get(key);
  if (!ajv) {
    ajv = new Real(options);
    shared.set(key, ajv);
    // ajv-formats, applied on every call, adds keywords that an instance may define only once.
    const addKeyword = ajv.addKeyword.bind(ajv);
    const known = ajv;
    ajv.addKeyword = (definition) => {
      const names = typeof definition === "string" ? [definition] : [definition.keyword].flat();
      return names.every((name) => known.getKeyword(name)) ? known : addKeyword(definition);
    };
  }
  return ajv;
}

/** Runs `check` with `ajv` as the Ajv class asl-validator constructs, then puts the previous one back. */
function withAjv<T>(ajv: AjvClass, check: () => T): T {
  const before = ajvModule.default;
  ajvModule.default = ajv;
  try {
    return check();
  } finally {
    ajvModule.default = before;
  }
}

/**
 * Shares the Ajv instances in every asl-validator call of this process from now on: test/setup.ts
 * installs it, so the local runner's check of each new definition (sdk/local/private/prepare.ts,
 * ~230 ms of CPU with a fresh Ajv: ~85 definitions in the unit tier when a fresh clone has no
 * `node_modules/.cache/stepflow/validated-asl`) compiles the schema once per process.
 */
export function useSharedAjv(): void {
  ajvModule.default = SharedAjv as unknown as AjvClass;
}

/**
 * Runs `check` (a synchronous asl-validator call with its default options, directly or through
 * the engine's `StateMachine` constructor) with Ajv instances shared across calls.
 */
export function withSharedAjv<T>(check: () => T): T {
  return withAjv(SharedAjv as unknown as AjvClass, check);
}

/** Runs `check` with asl-validator's own fresh Ajv per call, as outside the tests (the reference in test/compile/valid-asl.test.ts). */
export function withOwnAjv<T>(check: () => T): T {
  return withAjv(Real, check);
}
