// report.md: the pooled figures and one table row per file, with a link to its plot.
import { spansNote } from './plot-input.ts';
import type { FileSummary, Summary } from './summary.ts';

const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : v.toFixed(1));
const secs = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : v.toFixed(0));
const frac = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : v.toFixed(3));

export function reportMarkdown(summary: Summary, title: string): string {
  const lines = [`# ${title}`, ''];
  lines.push('| figure | value |', '| --- | --- |');
  lines.push(`| files / scored rows | ${summary.files} / ${summary.rowsScored} |`);
  const pooled: Array<[string, string]> = [
    ['precision', frac(summary.precision)],
    ['recall', frac(summary.recall)],
    ['f1', frac(summary.f1)],
    ['false alarm rate (% of normal rows flagged: normal rows inside open alerts)', pct(summary.far)],
    ['% of normal rows inside an alert still open from a labelled anomaly that has ended', pct(summary.normalInAlertsAfterAnomalyPct)],
    ['% of normal rows inside an open sensor-fault alert', pct(summary.normalInFaultAlertsPct)],
    ['labelled anomalies whose alert was open at their end / closed before the data ended', summary.openAtAnomalyEnd === undefined ? '–' : `${summary.openAtAnomalyEnd} / ${summary.closedAfterAnomalyEnd}`],
    ['time from a labelled anomaly\'s end to its alert\'s close, mean / longest (s; closed ones)', `${secs(summary.meanCloseAfterEndSeconds)} / ${secs(summary.maxCloseAfterEndSeconds)}`],
    ['missed alarm rate (% of anomalous rows missed)', pct(summary.mar)],
    ['event recall', frac(summary.eventRecall)],
    ['mean detection delay (rows)', pct(summary.meanDetectionDelayRows)],
  ];
  for (const [k, v] of pooled) lines.push(`| ${k} | ${v} |`);
  for (const [k, v] of Object.entries(summary)) if (k.startsWith('nab.') && typeof v === 'number') lines.push(`| ${k} | ${v.toFixed(1)} |`);
  if (summary.nab !== undefined) {
    for (const [k, v] of Object.entries(summary.nab.atDecisions)) lines.push(`| ${k} at the alert decisions (hysteresis) | ${v.toFixed(1)} |`);
    for (const [k, v] of Object.entries(summary.nab.scoreEveryRow)) lines.push(`| ${k} of the calibrated score on every row (not only where alerts open) | ${v.toFixed(1)} |`);
    for (const [k, v] of Object.entries(summary.nab.rollingZ)) lines.push(`| ${k} of the rolling z-score of log error (diagnostic, not the scorer's) | ${v.toFixed(1)} |`);
  }
  lines.push('', 'Per file (point-wise figures on scored rows; no point-adjust):', '');
  const hasNab = summary.nab !== undefined;
  lines.push(`| file | rows | threshold | alerts | alerts/day | precision | recall | f1 | FAR % | MAR % | events found | delay (rows) |${hasNab ? ' NAB standard (raw) |' : ''} plot |`);
  lines.push(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${hasNab ? ' ---: |' : ''} --- |`);
  for (const [name, f] of Object.entries(summary.perFile)) lines.push(fileRow(name, f, hasNab));
  lines.push(
    '',
    'alerts: distinct anomaly alerts (ids), as the scorer publishes them and the plot counts them; a crossing within scorer.hysteresis.holdOffSamples of a resolve is an alert of its own that follows the resolved one, so each alert is one run of rows with an alert open (span) in the plot. Where the two numbers differ the cell says why.',
  );
  return `${lines.join('\n')}\n`;
}

function fileRow(name: string, f: FileSummary, hasNab: boolean): string {
  const events = f.events === undefined ? '–' : `${f.eventsDetected}/${f.events}`;
  const nab = hasNab ? ` ${f.nab?.['nab.standard']?.toFixed(2) ?? '–'} |` : '';
  const note = spansNote(f.anomalyAlerts, f.anomalySpans);
  return `| ${name} | ${f.rowsScored} | ${f.threshold.toPrecision(3)} | ${f.anomalyAlerts}${note === null ? '' : ` in ${note}`} | ${pct(f.alertsPerDay)} | ${frac(f.precision)} | ${frac(f.recall)} | ${frac(f.f1)} | ${pct(f.far)} | ${pct(f.mar)} | ${events} | ${pct(f.meanDetectionDelayRows)} |${nab} [plot](plots/${name}.html) |`;
}
