// The in-memory form of one input file: an independent series of rows.
// Readers (csv.ts, nab-data.ts) produce it; the pipeline consumes it.

export interface Series {
  /** Path relative to the input root, e.g. 'realKnownCause/nyc_taxi.csv'; names the outputs. */
  name: string;
  /** Event time per row, ms since the epoch (row index when the file has no time column). */
  timestamps: number[];
  /** The time column's text per row, written back unchanged in the outputs. */
  timeText: string[];
  channels: string[];
  /** Row-major values: values[row * channels.length + c]. */
  values: number[];
  /** 0/1 per row, or null when the file carries no labels. */
  labels: Uint8Array | null;
  /** Cells that were empty and carried forward from the previous row (per channel, then summed). */
  filledCells: number;
  /** Rows whose time is earlier than the row before (kept; the windower drops them as late). */
  outOfOrderRows: number;
}

/** Row index ranges [start, end] (inclusive) where labels are 1: the labelled events. */
export function labelledEvents(labels: ArrayLike<number>, from = 0, to = labels.length): Array<[number, number]> {
  const events: Array<[number, number]> = [];
  let start = -1;
  for (let i = from; i < to; i++) {
    if (labels[i] === 1) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      events.push([start, i - 1]);
      start = -1;
    }
  }
  if (start >= 0) events.push([start, to - 1]);
  return events;
}
