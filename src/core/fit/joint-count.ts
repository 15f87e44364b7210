/**
 * Free parameters of a joint fit, counted as PyAutoFit prints "Total Free Parameters": shared free
 * parameters once, per-dataset ones once per dataset, relation hyperparameters once; fixed,
 * twinned and relation-defined parameters not at all.
 */
import { paramKey, type ModelDoc } from '../model/document';
import { resolveJoint, type JointDoc } from './joint-document';

export function jointFreeCount(model: ModelDoc, joint: JointDoc, nDatasets: number, names: string[] = []): { total: number } | { problem: string } {
  try {
    const r = resolveJoint(joint, model, nDatasets, names);
    const per = new Set(r.perDataset);
    const related = new Set(r.relations.map((x) => x.param));
    let total = 0;
    for (const c of model.components) {
      if (!c.active) continue;
      for (const [p, d] of Object.entries(c.params)) {
        if (d.fixed || d.twin) continue;
        const key = paramKey(c.name, p);
        if (related.has(key)) continue;
        total += per.has(key) ? nDatasets : 1;
      }
    }
    total += r.hyper.filter((h) => !h.doc.fixed).length;
    return { total };
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) };
  }
}
