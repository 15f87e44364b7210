import { dismissAlert } from '../state/actions';
import { useApp } from './use-app';

/** Errors and refusals, announced to screen readers; text only (never HTML). */
export function AlertArea() {
  const alerts = useApp((s) => s.alerts);
  if (alerts.length === 0) return null;
  return (
    <div role="alert" className="alerts">
      {alerts.map((a, i) => (
        <div key={i} className="alert-item">
          <span>{a}</span>
          <button type="button" aria-label="Dismiss message" onClick={() => dismissAlert(i)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
