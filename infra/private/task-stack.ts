/**
 * A nested stack of task Lambdas whose template is resolved once per synthesis, not twice.
 * aws-cdk-lib resolves a nested stack's template while preparing the app, to name its template
 * asset by its hash, and again when it writes the template (`_synthesizeTemplate`); both must be
 * the same template, since the file is uploaded under that hash. A 150-task nested stack resolves
 * ~450 resources each time: the second resolution cost ~1-3 ms of CPU per task at 1,000 tasks.
 * Here the template resolved while preparing is kept for the next call only (the write); a
 * forced re-synthesis (which does not prepare the asset again) resolves afresh, as aws-cdk-lib does.
 *
 * `_prepareTemplateAsset` and `_toCloudFormation` are aws-cdk-lib's `@internal` methods (no public
 * hook exists); test/infra/nested-tasks.test.ts checks that each written template is the one its
 * hash names and that a forced re-synthesis sees a change made after the first.
 */
import { NestedStack } from "aws-cdk-lib";

/** A nested stack that hands the template resolved for its asset hash to the template write. */
export class TaskStack extends NestedStack {
  /** The template resolved for the asset hash, until the write takes it. */
  private prepared: unknown;
  private preparing = false;

  override _prepareTemplateAsset(): boolean {
    // Called on every synthesis: a template kept by one that failed before its write is dropped here.
    this.prepared = undefined;
    this.preparing = true;
    try {
      return super._prepareTemplateAsset();
    } finally {
      this.preparing = false;
    }
  }

  protected override _toCloudFormation(): unknown {
    if (this.prepared !== undefined) {
      // The write that follows the hash in the same synthesis takes it, once.
      const template = this.prepared;
      this.prepared = undefined;
      return template;
    }
    const template: unknown = super._toCloudFormation();
    if (this.preparing) this.prepared = template;
    return template;
  }
}
