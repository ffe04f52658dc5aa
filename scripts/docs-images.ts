// `npm run docs:images`: draws the README's pictures from what the code really produces: the Slack alerts
// the sample events raise (their Block Kit payloads, via the real pipeline with recording sinks) as SVG,
// and the list of the shipped dashboards' panels.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadConfig } from '#shared/config/yaml.ts';
import { dashboardsMarkdown } from '#shared/ops/dashboards/generate.ts';
import { createDryRunAlertSink } from '#shared/runtime.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';
import { ingestKinesis } from '#shared/sources/kinesis.ts';
import { slackMessageSvg } from './docs/slack-svg.ts';

/** An example AWS domain: its Dashboards URL is derived, as it would be in Lambda. */
const EXAMPLE_ENDPOINT = 'https://search-logs-abc123.eu-west-1.es.amazonaws.com';

const PICTURES = [
  { event: 'events/cloudwatch-logs/app-json.json', out: 'docs/images/slack-alert.svg' },
  { event: 'events/kinesis/firelens.json', out: 'docs/images/slack-alert-kinesis.svg' },
];

async function main(): Promise<void> {
  const config = loadConfig('logferry.yml');
  mkdirSync('docs/images', { recursive: true });
  for (const p of PICTURES) {
    const alerts = createDryRunAlertSink(config.alerts, 'eu-west-1', EXAMPLE_ENDPOINT);
    const sinks = { ...createRecordingSinks(), alert: alerts };
    const event = JSON.parse(readFileSync(p.event, 'utf8'));
    // Far from any deadline: the picture must not depend on the machine's speed.
    const deadline = Date.now() + 600_000;
    if ('Records' in event) await ingestKinesis(event, { config, sinks }, deadline);
    else await ingestCloudWatchLogs(event, { config, sinks }, deadline);
    const first = alerts.messages[0];
    if (!first) throw new Error(`${p.event} raised no alert with the shipped logferry.yml`);
    writeFileSync(p.out, slackMessageSvg(first.message, `logferry alert from ${p.event}`));
    console.log(`wrote ${p.out}`);
  }
  const md = `<!-- Written by npm run docs:images from shared/ops/dashboards/panels.ts. -->\n# Dashboards\n\nWhat \`npm run bootstrap\` imports into OpenSearch Dashboards (\`dashboards/logferry.ndjson\`), for the index prefix \`logs\`: one set per prefix in logferry.yml.\n\n${dashboardsMarkdown('logs')}`;
  writeFileSync('docs/dashboards.md', md);
  console.log('wrote docs/dashboards.md');
}

await main();
