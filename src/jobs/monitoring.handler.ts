import type { NetworkGrant } from '../auth/grants';
import type { ModelMonitoringService } from '../inference/monitoring/model-monitoring.service';
import type { JobHandler, MonitorModelsPayload } from './job-registry';

/**
 * The nightly monitoring job: one check of every clinic's active and shadow models. Idempotent per
 * tick in effect: a retried job adds one more point whose "since" is the point just written, so it
 * counts no outcome twice.
 */
export function monitoringHandler(
  monitoring: Pick<ModelMonitoringService, 'checkAll'>,
  grant: () => NetworkGrant,
): JobHandler<MonitorModelsPayload> {
  return async () => {
    const points = await monitoring.checkAll(grant());
    return { checked: points.length, alerts: points.reduce((n, p) => n + p.alerts.length, 0) };
  };
}
