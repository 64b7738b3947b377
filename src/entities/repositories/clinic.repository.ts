import type { EntityManager } from 'typeorm';
import { Clinic } from '../clinic.entity';
import { scopeCondition, type ClinicScope } from './clinic-scope';

/** Clinics: the sites every patient-level row belongs to. */
export class ClinicRepository {
  constructor(private readonly m: EntityManager) {}

  byId(id: string): Promise<Clinic | null> {
    return this.m.getRepository(Clinic).findOneBy({ id });
  }

  byCode(code: string): Promise<Clinic | null> {
    return this.m.getRepository(Clinic).findOneBy({ code });
  }

  exists(id: string): Promise<boolean> {
    return this.m.getRepository(Clinic).existsBy({ id });
  }

  existsWithCode(code: string): Promise<boolean> {
    return this.m.getRepository(Clinic).existsBy({ code });
  }

  create(input: { code: string; name: string }): Promise<Clinic> {
    return this.m.save(Clinic, this.m.create(Clinic, input));
  }

  /** Clinics of a scope, by code. */
  list(scope: ClinicScope): Promise<Clinic[]> {
    const [condition, params] = scopeCondition('c.id', scope);
    return this.m.getRepository(Clinic).createQueryBuilder('c').where(condition, params).orderBy('c.code').getMany();
  }

  /** The clinics of `ids` that lie inside the scope. */
  byIds(scope: ClinicScope, ids: readonly string[]): Promise<Clinic[]> {
    const [condition, params] = scopeCondition('c.id', scope);
    return this.m
      .getRepository(Clinic)
      .createQueryBuilder('c')
      .where(condition, params)
      .andWhere('c.id = ANY(CAST(:ids AS uuid[]))', { ids })
      .getMany();
  }

  /**
   * Locks the clinic row for the rest of the transaction. Every change of a clinic's model set
   * takes this lock first, so concurrent activations of one clinic run one after the other.
   * Returns false if the clinic does not exist.
   */
  async lock(id: string): Promise<boolean> {
    const rows: unknown[] = await this.m.query(`SELECT id FROM clinic WHERE id = $1 FOR UPDATE`, [id]);
    return rows.length === 1;
  }
}
