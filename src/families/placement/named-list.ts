import { listed } from "../../core/listed-names.js";

const MAX_NAMED = 5;

/** Items named in a finding's summary: the first few, and how many more. */
export const named = (items: readonly string[]): string => listed(items, MAX_NAMED);

/** The clusters a delivery reaches, as a finding says them. */
export const clusterWord = (clusters: readonly string[]): string =>
  clusters.length === 0
    ? "a cluster the tree does not name"
    : `${clusters.length > 1 ? `${clusters.length} clusters at once` : "cluster"} ${named(clusters)}`;
