/** One versioned schema change. `sql` is one script for both dialects, or one per dialect. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string | { readonly sqlite: string; readonly postgres: string };
}
