/** A run's or attempt's status as a coloured label. */
export function StatusBadge({ status }: { status: string | undefined }) {
  const s = status ?? "UNKNOWN";
  return <span class={`badge status-${s.toLowerCase()}`}>{s.replace("_", " ").toLowerCase()}</span>;
}
