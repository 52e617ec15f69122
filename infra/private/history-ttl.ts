/** Days a history item lives before DynamoDB TTL removes it, when `historyTtlDays` is not given. */
export const DEFAULT_HISTORY_TTL_DAYS = 90;
