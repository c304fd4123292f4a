import type { TraceRecord } from '../../actors/runtime/index.js';
import type { Chart } from './charts.js';

/** What the page is given, embedded in it as JSON: the charts drawn, and the trace to replay (none for charts alone). */
export interface PageData {
  title: string;
  charts: Chart[];
  records: TraceRecord[];
  warnings: string[];
  /** A running process's page: the records come from its event stream (`/events`), per thread. */
  live: boolean;
}
