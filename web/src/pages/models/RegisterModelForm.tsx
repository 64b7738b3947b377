import { RegisterModelDocument } from '../../api/generated';
import { useMutation } from '../../api/use-query';
import { ErrorNotice } from '../../components/Notices';

const VARIANTS = ['amsnet', 'tsm-channel', 'tsm', 'baseline'];

/**
 * Registers a model file that IT placed in the server's model folder (DATA_DIR/models): the server
 * runs it against the AMSNet contract before storing it. A file with amsnet metadata (built or
 * trained by `amsnet`) states its own variant, planes, input size and provenance; an imported file
 * needs them here.
 */
export function RegisterModelForm({ onRegistered }: { onRegistered(message: string): void }) {
  const register = useMutation(RegisterModelDocument);
  return (
    <details className="card">
      <summary>Register a model file</summary>
      <form
        className="form form--grid"
        aria-label="Register a model file"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const text = (name: string) => String(f.get(name) ?? '').trim();
          const planes = text('planes');
          const trained = text('trained');
          const result = await register.run({
            input: {
              serverPath: text('serverPath'),
              name: text('name'),
              version: text('version'),
              variant: text('variant') || null,
              planes: planes ? planes.split(/[\s,]+/).map(Number) : null,
              inputSize: text('inputSize') ? Number(text('inputSize')) : null,
              trained: trained === '' ? null : trained === 'yes',
            },
          });
          if (!result) return;
          form.reset();
          const { created, model } = result.registerModel;
          onRegistered(
            created
              ? `${model.name} ${model.version} is registered; activate it or score it in shadow mode below.`
              : `These bytes were registered already, as ${model.name} ${model.version}.`,
          );
        }}
      >
        <label>
          File in the server&apos;s model folder
          <input name="serverPath" type="text" required placeholder="amsnet-2026-12.onnx" className="mono" />
        </label>
        <label>
          Name
          <input name="name" type="text" required autoComplete="off" />
        </label>
        <label>
          Version
          <input name="version" type="text" required autoComplete="off" />
        </label>
        <label>
          Variant (a file without amsnet metadata)
          <select name="variant" defaultValue="">
            <option value="">as the file states</option>
            {VARIANTS.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
        <label>
          Focal planes, µm (a file without amsnet metadata)
          <input
            name="planes"
            type="text"
            placeholder="-45, -30, -15, 0, 15, 30, 45"
            pattern="\s*-?\d+(\s*[,\s]\s*-?\d+)*\s*"
            title="whole numbers of µm, separated by commas"
          />
        </label>
        <label>
          Input size, px (a file without amsnet metadata)
          <input name="inputSize" type="number" min={16} step={1} />
        </label>
        <label>
          Trained weights?
          <select name="trained" defaultValue="">
            <option value="">as the file states</option>
            <option value="yes">yes, trained</option>
            <option value="no">no, untrained</option>
          </select>
        </label>
        <button type="submit" className="button button--primary" disabled={register.running}>
          Check and register
        </button>
        <ErrorNotice error={register.error} />
      </form>
    </details>
  );
}
