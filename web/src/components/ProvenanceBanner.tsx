import { isNotForClinicalUse, PROVENANCE_LABEL, provenanceOf, type ModelLike } from '../lib/provenance';

interface BannerModel extends ModelLike {
  name: string;
  version: string;
}

/**
 * The warning that cannot be missed: shown on every page whose numbers come from an untrained (or
 * synthetic-trained) model, above those numbers, and kept in view while scrolling.
 */
export function ProvenanceBanner({ models, warning }: { models: BannerModel[]; warning?: string | null }) {
  const flagged = unique(models).filter((m) => isNotForClinicalUse(provenanceOf(m)));
  if (flagged.length === 0) return null;
  return (
    <div className="provenance-banner" role="alert" data-testid="provenance-banner">
      <strong className="provenance-banner__title">
        <span aria-hidden="true">⚠ </span>Not for clinical use
      </strong>
      <span>
        {flagged.map((m) => `${m.name} ${m.version}: ${PROVENANCE_LABEL[provenanceOf(m)].toLowerCase()}`).join('; ')}.{' '}
        {warning ?? 'These probabilities do not predict anything; do not use them to choose an embryo.'}
      </span>
    </div>
  );
}

function unique<T extends BannerModel>(models: T[]): T[] {
  const seen = new Map<string, T>();
  for (const m of models) seen.set(`${m.name}@${m.version}`, m);
  return [...seen.values()];
}

export function ProvenanceTag({ model }: { model: ModelLike }) {
  const p = provenanceOf(model);
  return <span className={`tag ${isNotForClinicalUse(p) ? 'tag--danger' : 'tag--ok'}`}>{PROVENANCE_LABEL[p]}</span>;
}
