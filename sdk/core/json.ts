/** A JSON value: the only thing that crosses a state boundary. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
