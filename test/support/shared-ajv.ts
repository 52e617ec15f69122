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

/**
 * Runs `check` (a synchronous asl-validator call with its default options, directly or through
 * the engine's `StateMachine` constructor) with Ajv instances shared across calls.
 */
export function withSharedAjv<T>(check: () => T): T {
  const Real = ajvModule.default;
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
  ajvModule.default = SharedAjv as unknown as AjvClass;
  try {
    return check();
  } finally {
    ajvModule.default = Real;
  }
}
