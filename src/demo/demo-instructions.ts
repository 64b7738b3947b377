import type { DemoLabResult } from './demo-lab.service';

/** The lab view of one cycle: embryos ranked by their latest score (with the model's label), with trajectories. */
export const LAB_VIEW_QUERY = `query LabView($cycleId: ID!) {
  cycle(id: $cycleId) {
    externalId
    inseminationAt
    patient { mrn displayName }
    ranking {
      label
      warning
      entries {
        rank
        score { value label computedAt }
        embryo {
          label
          externalId
          outcome
          trajectory {
            model { name version trained }
            warning
            points { segment day probability imputed }
          }
        }
      }
    }
  }
}`;

export const LOGIN_MUTATION = `mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { token expiresAt mustChangePassword }
}`;

/** A first-start password must be replaced before anything else (the answer holds a new token). */
export const CHANGE_PASSWORD_MUTATION = `mutation ChangePassword($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new) { token expiresAt }
}`;

export interface DemoAdmin {
  email: string;
  /** Known only when the admin was created just now (first start); shown once. */
  password?: string;
}

/** What a newcomer reads after the demo is seeded: where to look and what to send. */
export function demoInstructions(
  result: DemoLabResult,
  where: { graphqlUrl: string; admin: DemoAdmin | undefined },
): string {
  const scored = result.scoringRun;
  const lines = [
    '',
    `  Demo lab ready in clinic "${result.clinic.code}":`,
    `    ${result.written.embryos} embryos in ${result.sheetImport.counts.stored} sheet rows, ${result.folderImport.framesStored} frames imported` +
      ` (generated in ${result.seconds.generate.toFixed(1)} s, imported in ${result.seconds['import-frames'].toFixed(1)} s)`,
    `    model ${result.model.name} ${result.model.version} — ${
      result.model.trained
        ? 'trained on synthetic data: not for clinical use (it shows what the system does, not how it performs on real embryos)'
        : 'UNTRAINED: random weights, its probabilities mean nothing clinically'
    }`,
    `    scoring run ${scored.id}: ${scored.status}` +
      (scored.status === 'QUEUED'
        ? ' (a worker will pick it up: `amsnet worker` or `amsnet serve`)'
        : `, ${scored.embryosScored} embryos scored in ${result.seconds.scoring.toFixed(1)} s`),
    '',
    `  GraphQL: ${where.graphqlUrl}`,
    where.admin
      ? `  Sign in: ${where.admin.email}${where.admin.password ? ` / ${where.admin.password}   (shown once)` : ' (your password)'}`
      : `  Sign in as an administrator of clinic "${result.clinic.code}" (create one: amsnet user add --help)`,
    '',
    '  1. Log in:',
    indent(LOGIN_MUTATION, 6),
    `     variables: ${JSON.stringify({ email: where.admin?.email ?? 'you@example.org', password: where.admin?.password ?? '…' })}`,
    ...(where.admin?.password
      ? [
          '     The first-start password is temporary: with that token, choose your own (12+ characters)',
          '     and use the token it answers:',
          indent(CHANGE_PASSWORD_MUTATION, 6),
          `     variables: ${JSON.stringify({ current: where.admin.password, new: '<your new password>' })}`,
        ]
      : []),
    '  2. Send the token as "Authorization: Bearer <token>" with the lab view of cycle ' +
      result.labViewCycle.externalId +
      ':',
    indent(LAB_VIEW_QUERY, 6),
    `     variables: ${JSON.stringify({ cycleId: result.labViewCycle.id })}`,
    '',
  ];
  return lines.join('\n');
}

const indent = (text: string, n: number) =>
  text
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');
