/**
 * Ridge regression via the normal equations (Cholesky). Small, dense problems only (<= a few
 * hundred coefficients): used for the hedonic model that supplies market index and adjustment rates.
 */
export function ridgeRegression(
  rows: readonly (readonly number[])[],
  targets: readonly number[],
  lambda: number,
  unpenalized: ReadonlySet<number> = new Set(),
): number[] {
  const p = rows[0]?.length ?? 0;
  const gram = Array.from({ length: p }, () => new Float64Array(p));
  const moment = new Float64Array(p);
  rows.forEach((row, r) => {
    const y = targets[r] ?? 0;
    for (let i = 0; i < p; i++) {
      const xi = row[i] ?? 0;
      if (xi === 0) continue;
      moment[i] = (moment[i] ?? 0) + xi * y;
      const gramRow = gram[i] as Float64Array;
      for (let j = 0; j < p; j++) gramRow[j] = (gramRow[j] ?? 0) + xi * (row[j] ?? 0);
    }
  });
  for (let i = 0; i < p; i++) {
    const gramRow = gram[i] as Float64Array;
    gramRow[i] = (gramRow[i] ?? 0) + (unpenalized.has(i) ? 1e-9 : lambda);
  }
  return solveSymmetricPositiveDefinite(gram, moment);
}

function solveSymmetricPositiveDefinite(matrix: Float64Array[], rhs: Float64Array): number[] {
  const n = rhs.length;
  const lower = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const lowerRow = lower[i] as Float64Array;
    for (let j = 0; j <= i; j++) {
      const otherRow = lower[j] as Float64Array;
      let sum = matrix[i]?.[j] ?? 0;
      for (let k = 0; k < j; k++) sum -= (lowerRow[k] ?? 0) * (otherRow[k] ?? 0);
      lowerRow[j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / (otherRow[j] ?? 1);
    }
  }
  const forward = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = rhs[i] ?? 0;
    for (let k = 0; k < i; k++) sum -= (lower[i]?.[k] ?? 0) * (forward[k] ?? 0);
    forward[i] = sum / (lower[i]?.[i] ?? 1);
  }
  const solution = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = forward[i] ?? 0;
    for (let k = i + 1; k < n; k++) sum -= (lower[k]?.[i] ?? 0) * (solution[k] ?? 0);
    solution[i] = sum / (lower[i]?.[i] ?? 1);
  }
  return solution;
}
