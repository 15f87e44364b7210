/**
 * Free parameters of a joint fit, counted as PyAutoFit prints "Total Free Parameters": shared free
 * parameters once, per-dataset ones once per dataset that uses them (JointDoc.components: a
 * dataset's model may use only some components), relation hyperparameters once; fixed, twinned and
 * relation-defined parameters, and parameters of components no dataset uses, not at all.
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
        if (d.fixed || d.twin || (d.lower !== null && d.lower === d.upper)) continue;
        const key = paramKey(c.name, p);
        if (related.has(key)) continue;
        const users = r.keyDatasets.get(key)?.length ?? 0;
        if (users === 0) continue;
        total += per.has(key) ? users : 1;
      }
    }
    total += r.hyper.filter((h) => !h.doc.fixed && !(h.doc.lower !== null && h.doc.lower === h.doc.upper)).length;
    return { total };
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) };
  }
}
