import { useState } from 'react';
import { ModelEvaluationDocument, type ModelEvaluationQuery } from '../api/generated';
import { useQuery } from '../api/use-query';
import { Link } from '../app/router';
import { useClinic } from '../app/session';
import { ChartLegend, LineChart } from '../components/LineChart';
import { ErrorNotice, Loading, PageTitle } from '../components/Notices';
import { ProvenanceBanner, ProvenanceTag } from '../components/ProvenanceBanner';
import { formatDateTime, percent } from '../lib/format';

type EvaluationDay = ModelEvaluationQuery['modelEvaluation']['days'][number];

const ROC_CLASSES = ['series-1', 'series-2', 'series-3'];

/** The paper's evaluation of one model on the clinic's recorded outcomes: Table 1 by half day, accuracy curve, ROC at days 3/4/5. */
export function ModelEvaluationPage({ id }: { id: string }) {
  const { clinic } = useClinic();
  const [range, setRange] = useState<{ from?: string; to?: string }>({});
  const { data, error, loading } = useQuery(
    ModelEvaluationDocument,
    { clinicId: clinic?.id ?? '', modelId: id, from: range.from ?? null, to: range.to ?? null },
    { skip: !clinic },
  );
  const e = data?.modelEvaluation;

  return (
    <section className="page">
      <p className="breadcrumb">
        <Link to="/models">Models</Link> › evaluation
      </p>
      <PageTitle title="Model evaluation">Evaluation {e ? `· ${e.model.name} ${e.model.version}` : ''}</PageTitle>
      <form
        className="form form--inline"
        onSubmit={(ev) => {
          ev.preventDefault();
          const f = new FormData(ev.currentTarget);
          const iso = (v: FormDataEntryValue | null) =>
            v ? new Date(`${String(v)}T00:00:00Z`).toISOString() : undefined;
          setRange({ from: iso(f.get('from')), to: iso(f.get('to')) });
        }}
      >
        <label>
          Cycles inseminated from
          <input type="date" name="from" />
        </label>
        <label>
          before
          <input type="date" name="to" />
        </label>
        <button type="submit" className="button">
          Evaluate
        </button>
      </form>
      <ErrorNotice error={error} />
      {loading && <Loading what="the evaluation" />}
      {e && (
        <>
          <ProvenanceBanner models={[e.model]} warning={e.warning} />
          <p className="facts">
            <ProvenanceTag model={e.model} />
            <span>
              {e.embryosWithOutcome} embryos with a recorded outcome in {clinic?.name}
            </span>
            <span>
              {e.blastocysts} blastocysts, {e.notBlastocysts} not
            </span>
            <span>{e.embryosNotScored} never scored by this model (left out)</span>
            <span>accuracy-curve AUC {e.accuracyAuc === null ? '—' : e.accuracyAuc.toFixed(3)}</span>
            <span className="muted">evaluated {formatDateTime(e.evaluatedAt)}</span>
          </p>
          <section className="card" aria-labelledby="table1-title">
            <h2 id="table1-title">Accuracy by half day (threshold 0.5)</h2>
            <div className="scroll-x">
              <table className="table table--compact" data-testid="accuracy-table">
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    {e.days.map((d) => (
                      <th scope="col" key={d.day} className="num">
                        {d.day}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {(
                    [
                      ['Accuracy', (d) => percent(d.accuracy)],
                      ['Sensitivity', (d) => percent(d.sensitivity)],
                      ['Specificity', (d) => percent(d.specificity)],
                      ['Embryos (n)', (d) => String(d.n)],
                      ['TP / FP', (d) => `${d.truePositives} / ${d.falsePositives}`],
                      ['TN / FN', (d) => `${d.trueNegatives} / ${d.falseNegatives}`],
                    ] as [string, (d: EvaluationDay) => string][]
                  ).map(([label, cell]) => (
                    <tr key={label}>
                      <th scope="row">{label}</th>
                      {e.days.map((d) => (
                        <td key={d.day} className="num">
                          {cell(d)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <LineChart
              title="Accuracy by day"
              description={`Accuracy at days ${e.days[0]?.day ?? 0.5} to ${e.days[e.days.length - 1]?.day ?? 7}.`}
              series={[
                {
                  label: 'accuracy',
                  className: 'series-1',
                  points: e.days
                    .filter((d) => d.accuracy !== null)
                    .map((d) => ({
                      x: d.day,
                      y: d.accuracy!,
                      title: `day ${d.day}: ${percent(d.accuracy)} (n=${d.n})`,
                    })),
                },
              ]}
              xDomain={[0, 7]}
              yDomain={[0, 1]}
              xTicks={[0, 1, 2, 3, 4, 5, 6, 7]}
              yTicks={[0, 0.25, 0.5, 0.75, 1]}
              formatX={(d) => `day ${d}`}
              formatY={(p) => `${p * 100} %`}
              xLabel="Day of culture"
              yLabel="Accuracy"
              reference={[0, 0.5, 7, 0.5]}
              height={240}
            />
          </section>
          <section className="card" aria-labelledby="roc-title">
            <h2 id="roc-title">ROC curves, days 3, 4 and 5</h2>
            <div className="roc">
              <LineChart
                title="ROC curves"
                description={e.roc
                  .map((r) => `day ${r.day}: AUC ${r.auc === null ? 'not defined' : r.auc.toFixed(3)}`)
                  .join('; ')}
                series={e.roc.map((r, i) => ({
                  label: `day ${r.day}`,
                  className: ROC_CLASSES[i % ROC_CLASSES.length],
                  showPoints: false,
                  points: r.points.map((p) => ({ x: p.falsePositiveRate, y: p.truePositiveRate })),
                }))}
                xDomain={[0, 1]}
                yDomain={[0, 1]}
                xTicks={[0, 0.25, 0.5, 0.75, 1]}
                yTicks={[0, 0.25, 0.5, 0.75, 1]}
                formatX={(v) => v.toFixed(2)}
                formatY={(v) => v.toFixed(2)}
                xLabel="False positive rate"
                yLabel="True positive rate"
                reference={[0, 0, 1, 1]}
                width={420}
                height={400}
                square
              />
              <div>
                <ChartLegend
                  items={e.roc.map((r, i) => ({
                    label: `day ${r.day} (segment ${r.segment}): AUC ${r.auc === null ? '— (one class absent)' : r.auc.toFixed(3)}, ${r.positives} positive / ${r.negatives} negative`,
                    className: ROC_CLASSES[i % ROC_CLASSES.length],
                  }))}
                />
                <p className="muted small">The diagonal is chance. AUC is exact (Mann–Whitney, ties count ½).</p>
              </div>
            </div>
          </section>
        </>
      )}
    </section>
  );
}
