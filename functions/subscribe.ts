// Lambda entry point that subscribes log groups (EventBridge: CloudTrail CreateLogGroup, daily schedule); logic in shared/ops/.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { createCloudWatchLogsClient } from '#shared/clients/cloudwatch-logs.ts';
import { readOpsEnv } from '#shared/config/ops-env.ts';
import { loadRuntimeConfig } from '#shared/config/runtime-config.ts';
import { SubscriptionError } from '#shared/errors.ts';
import { createMetrics } from '#shared/observability/metrics.ts';
import { type SubscribeReport, subscribeLogGroups } from '#shared/ops/subscribe.ts';
import {
  countActions,
  ownLogGroupGlobs,
  scopeOfEvent,
  subscriptionTarget,
} from '#shared/ops/subscribe-plan.ts';

const logger = new Logger({ serviceName: 'logferry' });
// Read once per cold start: a bad logferry.yml, destination or environment fails here, before any event.
const env = readOpsEnv(process.env);
const config = loadRuntimeConfig(env.configFile);
const target = subscriptionTarget(config.subscriptions, env);
const own = ownLogGroupGlobs(env.service, env.stage);
const logs = createCloudWatchLogsClient({ region: env.region, endpoint: env.awsEndpoint });
const metrics = createMetrics({ stage: env.stage, service: env.service });

type Summary = Omit<SubscribeReport, 'results'> & { scope: string };

const lambdaHandler = async (event: EventBridgeEvent<string, unknown>): Promise<Summary> => {
  const scope = scopeOfEvent(event);
  if (scope.kind === 'none') {
    logger.info('event names no log group to subscribe', { reason: scope.reason });
    return {
      scope: scope.kind,
      dryRun: false,
      listed: 0,
      counts: countActions([]),
      applied: 0,
      failed: 0,
    };
  }
  const report = await subscribeLogGroups(logs, {
    config: config.subscriptions,
    target,
    own,
    scope,
    dryRun: false,
    throttle: { onThrottle: (info) => logger.warn('throttled; backing off', info) },
  });
  const { results, ...counts } = report;
  for (const r of results) {
    if (r.error)
      logger.error('log group not subscribed', {
        logGroup: r.group,
        action: r.action,
        error: r.error,
      });
    else if (r.action === 'at-limit')
      logger.warn('log group already has two subscription filters; not subscribed', {
        logGroup: r.group,
        filters: r.filters,
      });
    else if (r.applied)
      logger.info('log group subscribed', { logGroup: r.group, action: r.action });
  }
  metrics.addMetric('GroupsSubscribed', MetricUnit.Count, report.applied);
  metrics.addMetric('GroupsAtFilterLimit', MetricUnit.Count, report.counts['at-limit']);
  metrics.addMetric('SubscribeFailures', MetricUnit.Count, report.failed);
  const summary = { scope: scope.kind, ...counts };
  logger.info('subscription run done', summary);
  // Thrown so the Errors alarm sees it; the next schedule (or Lambda's retry) tries the group again.
  if (report.failed > 0)
    throw new SubscriptionError(
      `${report.failed} log group(s) could not be subscribed`,
      report.failed,
    );
  return summary;
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
