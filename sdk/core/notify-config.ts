/**
 * The notifier's configuration, as `FlowStack` writes it into the notifier Lambda's
 * `STEPFLOW_NOTIFY` environment variable and the notifier reads it: shared by infra and runtime.
 */

/** One notifier of a flow. */
export interface NotifyTarget {
  readonly kind: "slack";
  /** Secret name (without prefix) holding the webhook URL. */
  readonly secret: string;
  readonly on: readonly string[];
}

/** Notifiers by flow name. */
export type NotifyConfig = Readonly<Record<string, readonly NotifyTarget[]>>;
