// The planted-cluster probe of the demo catalogue (truth.json of native/core/src/synth/planted.rs), shared by the
// tests of models trained here (test/model/planted.test.ts) and imported from Spark (test/interop/spark.test.ts).

/** How many of the most rated movies outside any cluster the probe's new user rates 1 star. */
const DISLIKED = 8;

/**
 * A new user's ratings for one planted cluster: its first half rated 5, and 1 star for the most rated movies outside
 * any cluster. Only 5-star ratings teach an explicit fold-in mostly "this user rates high" (the user bias); a person
 * also says what they dislike, which gives the factors a direction. `rest` is the cluster's other half.
 */
export function clusterProbes(
  clusters: number[][],
  ratingCounts: Map<number, number>,
): { request: [number[], number[]]; rest: number[] }[] {
  const clustered = new Set(clusters.flat());
  const disliked = [...ratingCounts.entries()]
    .filter(([id]) => !clustered.has(id))
    .sort((a, b) => b[1] - a[1] || b[0] - a[0])
    .slice(0, DISLIKED)
    .map(([id]) => id);
  return clusters.map((members) => {
    const rated = members.slice(0, Math.floor(members.length / 2));
    return {
      request: [
        [...rated, ...disliked],
        [...rated.map(() => 5), ...disliked.map(() => 1)],
      ],
      rest: members.slice(rated.length),
    };
  });
}
