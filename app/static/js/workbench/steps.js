// The judgmental rotation steps of the analysis, kept in the form's hidden field as qsort's
// JSON ({factor_a, factor_b, degrees}); the server applies them with qsort when the form runs.

export function readSteps(field) {
  try {
    const steps = JSON.parse(field.value || "[]");
    return Array.isArray(steps) ? steps : [];
  } catch {
    return [];
  }
}

export function writeSteps(field, steps) {
  field.value = JSON.stringify(steps);
}

// Turn loadings (rows of factor values) in the plane of factors a and b (1-based), as qsort's
// RotationStep does: a' = a cos t - b sin t, b' = a sin t + b cos t. Used for the preview only.
export function turn(loadings, a, b, degrees) {
  const t = (degrees * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  return loadings.map((row) => {
    const out = row.slice();
    out[a - 1] = row[a - 1] * c - row[b - 1] * s;
    out[b - 1] = row[a - 1] * s + row[b - 1] * c;
    return out;
  });
}

export function describe(step, names) {
  const sense = step.degrees >= 0 ? "counter-clockwise" : "clockwise";
  const name = (k) => names[k - 1] || `F${k}`;
  return `${name(step.factor_a)}–${name(step.factor_b)}: ${Math.abs(step.degrees)}° ${sense}`;
}
