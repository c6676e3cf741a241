/**
 * The optional edge index of SONATA (from BBP's syn2): for each node, the runs of consecutive
 * edge ids that have it as source (source_to_target) or target (target_to_source).
 *
 *   node_id_to_ranges [N_nodes x 2]  node k's rows of range_to_edge_id: [first, end)
 *   range_to_edge_id  [N_ranges x 2] edge ids [start, end) sharing that node
 *
 * A node without edges gets an empty row range [r, r] (unsigned, so no -1 marker).
 */

export interface EdgeIndex {
  nodeIdToRanges: BigUint64Array;
  rangeToEdgeId: BigUint64Array;
}

/** The index of `ids` (one node id per edge) over nodes 0..nNodes-1. */
export function edgeIndex(ids: Uint32Array, nNodes: number): EdgeIndex {
  // Edge ids grouped by node, ascending within a node (counting sort keeps edge order).
  const start = new Uint32Array(nNodes + 1);
  for (const id of ids) start[id + 1]++;
  for (let k = 0; k < nNodes; k++) start[k + 1] += start[k];
  const fill = start.slice(0, nNodes);
  const byNode = new Uint32Array(ids.length);
  ids.forEach((id, e) => (byNode[fill[id]++] = e));

  const nodeIdToRanges = new BigUint64Array(2 * nNodes);
  const ranges: number[] = [];
  for (let node = 0; node < nNodes; node++) {
    nodeIdToRanges[2 * node] = BigInt(ranges.length / 2);
    for (let s = start[node]; s < start[node + 1]; s++) {
      const e = byNode[s];
      if (ranges.length > 2 * Number(nodeIdToRanges[2 * node]) && ranges[ranges.length - 1] === e) ranges[ranges.length - 1] = e + 1;
      else ranges.push(e, e + 1);
    }
    nodeIdToRanges[2 * node + 1] = BigInt(ranges.length / 2);
  }
  return { nodeIdToRanges, rangeToEdgeId: BigUint64Array.from(ranges, BigInt) };
}
