/** Signal-axis calibration of the active cube: start, step and units (from the file when it had them). */
import { useState } from 'react';
import { axisCalibration } from '../../core/cube/cube';
import type { Dataset } from '../../core/data/dataset';
import { calibrateAxis } from '../../state/cube-actions';

export function AxisCalibrationForm({ cube }: { cube: Dataset }) {
  const cal = axisCalibration(cube);
  const [start, setStart] = useState(cal ? String(cal.start) : '0');
  const [step, setStep] = useState(cal ? String(cal.step) : '1');
  const [units, setUnits] = useState(cal?.units ?? '');
  return (
    <form
      className="fit-row axis-calibration"
      aria-label="Signal axis calibration"
      onSubmit={(e) => {
        e.preventDefault();
        calibrateAxis({ start: Number(start), step: Number(step), units });
      }}
    >
      <span>Signal axis{cal ? '' : ' (not uniform)'}:</span>
      <label>
        start <input aria-label="Signal axis start" size={7} value={start} onChange={(e) => setStart(e.currentTarget.value)} />
      </label>
      <label>
        step <input aria-label="Signal axis step" size={7} value={step} onChange={(e) => setStep(e.currentTarget.value)} />
      </label>
      <label>
        units <input aria-label="Signal axis units" size={5} value={units} onChange={(e) => setUnits(e.currentTarget.value)} />
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}
