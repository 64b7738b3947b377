import { Gauge } from 'prom-client';
import { processMetrics } from '../../platform/metrics';

type Labels = 'clinic' | 'model' | 'role';
let gauges: Record<'day3RocAuc' | 'brier' | 'psi' | 'alerts', Gauge<Labels>> | null = null;

/** The monitoring figures of the last check, as Prometheus gauges on the process registry. */
export function monitoringGauges() {
  if (!gauges) {
    const registers = [processMetrics().registry];
    const make = (name: string, help: string) =>
      new Gauge({ name, help, labelNames: ['clinic', 'model', 'role'] as const, registers });
    gauges = {
      day3RocAuc: make('amsnet_model_day3_roc_auc', 'Day-3 ROC AUC on outcomes recorded since the previous check'),
      brier: make(
        'amsnet_model_brier_score',
        'Brier score of the latest predictions on outcomes since the previous check',
      ),
      psi: make(
        'amsnet_model_score_psi',
        'Population stability index of scores against the distribution at activation',
      ),
      alerts: make('amsnet_model_monitoring_alerts', 'Alerts raised by the last monitoring check'),
    };
  }
  return gauges;
}
