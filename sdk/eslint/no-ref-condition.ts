/**
 * `stepflow/no-ref-condition`: reports a flow-body condition on a `Ref` (`if (ref)`, `ref ? a : b`,
 * `ref && x`, `!ref`, loops). A ref is an object until the flow runs, always truthy, so such a
 * condition silently takes the same path on every run; the ref traps cannot see it (JavaScript
 * asks an object nothing when it tests its truthiness), so only the types can.
 */
import type { Rule } from "eslint";
import type * as ESTree from "estree";
import type { Node as TsNode, Type, TypeChecker } from "typescript";
import { UsageError } from "../core/errors.ts";

/** What typescript-eslint's parser gives a rule when the config enables typed linting. */
interface TypedServices {
  readonly program: { getTypeChecker(): TypeChecker };
  readonly esTreeNodeToTSNodeMap: { get(node: ESTree.Node): TsNode };
}

/** True when every part of `type` is stepflow's `Ref` (a `Ref | undefined` may be a real choice). */
function isRefType(type: Type): boolean {
  if (type.isUnion()) return type.types.every(isRefType);
  const symbol = type.getSymbol() ?? type.aliasSymbol;
  if (symbol?.getName() !== "Ref") return false;
  return type.getProperty("source") !== undefined && type.getProperty("owner") !== undefined;
}

function typedServices(context: Rule.RuleContext): TypedServices {
  // Without type information the parser leaves `program` null (or sets no services at all).
  const services = context.sourceCode.parserServices as Partial<TypedServices> | null | undefined;
  if (!services?.program || !services.esTreeNodeToTSNodeMap) {
    throw new UsageError(
      "rule `stepflow/no-ref-condition` needs type information; lint with typescript-eslint's parser and `parserOptions: { projectService: true }` (see the stepflow README, \"Lint your flows\")",
    );
  }
  return { program: services.program, esTreeNodeToTSNodeMap: services.esTreeNodeToTSNodeMap };
}

/**
 * The rule: reports a `Ref` (every part of its type a `Ref`) tested for truthiness, naming `when`.
 * @see https://typescript-eslint.io/getting-started/typed-linting/
 */
export const noRefCondition: Rule.RuleModule = {
  meta: {
    type: "problem",
    docs: { description: "Disallow testing a stepflow `Ref` for truthiness in a flow body; branch with `when`" },
    messages: {
      refCondition:
        "`{{text}}` is a stepflow `Ref`, a value that exists only when the flow runs, so as {{what}} it is always truthy and takes the same path on every run; branch on its value with `when({{text}}, () => ..., () => ...)`, or pass it to a task",
    },
    schema: [],
  },
  create(context) {
    const { program, esTreeNodeToTSNodeMap } = typedServices(context);
    const checker = program.getTypeChecker();
    const reported = new Set<ESTree.Node>();
    const check = (node: ESTree.Node, what: string): void => {
      if (reported.has(node)) return;
      if (!isRefType(checker.getTypeAtLocation(esTreeNodeToTSNodeMap.get(node)))) return;
      reported.add(node);
      context.report({ node, messageId: "refCondition", data: { text: context.sourceCode.getText(node), what } });
    };
    // A test made of `&&`/`||` tests each operand: `if (ok && ref)` is as wrong as `if (ref)`.
    const test = (node: ESTree.Node | null | undefined, what: string): void => {
      if (!node) return;
      if (node.type === "LogicalExpression" && node.operator !== "??") {
        test(node.left, what);
        test(node.right, what);
      } else check(node, what);
    };
    return {
      IfStatement: (n) => test(n.test, "the condition of an `if`"),
      WhileStatement: (n) => test(n.test, "a loop condition"),
      DoWhileStatement: (n) => test(n.test, "a loop condition"),
      ForStatement: (n) => test(n.test, "a loop condition"),
      ConditionalExpression: (n) => test(n.test, "the condition of `?:`"),
      LogicalExpression: (n) => check(n.left, `the left side of \`${n.operator}\``),
      UnaryExpression: (n) => {
        if (n.operator === "!") check(n.argument, "the operand of `!`");
      },
    };
  },
};
