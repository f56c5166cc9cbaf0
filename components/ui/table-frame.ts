/**
 * A table's frame: on a narrow screen the table scrolls inside it instead of widening the page.
 * Relative, so a screen-reader-only label (absolutely positioned) is clipped with the table.
 */
export const tableFrameClass = "relative overflow-x-auto rounded-xl border border-zinc-200 dark:border-zinc-800";
