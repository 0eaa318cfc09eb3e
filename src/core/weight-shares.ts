import { sortedSet } from "./canonical-values.js";

/**
 * Weights that split requests or answers proportionally (k8gb geo tags, DNS weighted records, an
 * ALB's weighted target groups): compared and shown as shares, so 80/20 written 4/1 is the same split.
 */
type Weights = Readonly<Record<string, number>>;

const totalOf = (weights: Weights): number => Object.values(weights).reduce((sum, weight) => sum + weight, 0);

/** Each key's share of the total, to six places: what weights written at another scale leave alike. */
export function sharesOf(weights: Weights): Record<string, number> {
  const total = totalOf(weights);
  return Object.fromEntries(Object.entries(weights).map(([key, weight]) => [key, total === 0 ? 0 : Math.round((weight / total) * 1e6)]));
}

const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;

const shareOf = (weights: Weights, key: string): string => {
  const sum = totalOf(weights);
  return sum === 0 ? "0%" : percent((weights[key] ?? 0) / sum);
};

/** `eu 50% → 80%, us 50% → 20%`: each key's share before and after, `(none)` where it is absent. */
export function describeShares(before: Weights, after: Weights): string {
  const share = (weights: Weights, key: string) => (key in weights ? shareOf(weights, key) : "(none)");
  return sortedSet([...Object.keys(before), ...Object.keys(after)])
    .map((key) => `${key} ${share(before, key)} → ${share(after, key)}`)
    .join(", ");
}

/** `eu 80%, us 20%`: each key's share of one set of weights. */
export function describeSplit(weights: Weights): string {
  return sortedSet(Object.keys(weights))
    .map((key) => `${key} ${shareOf(weights, key)}`)
    .join(", ");
}
