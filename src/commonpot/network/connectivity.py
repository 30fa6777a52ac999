"""Connected components of an undirected graph given as edge lists, in numpy alone.

Labels follow first appearance by node index (the component of node 0 is 0, the component
of the smallest node outside it is 1, ...), as scipy's `connected_components` numbers them:
the allocation batches small components in label order, so the numbering shapes the plan.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]


def connected_components(n_nodes: int, tails: IntArray, heads: IntArray) -> tuple[int, IntArray]:
    """(number of components, label of each node); isolated nodes are components too.

    Min-label hooking with pointer jumping: every node points at a node no larger than
    itself; each round hooks the root of an edge's larger end under the smaller root, then
    flattens the trees, until no edge joins two trees. A root is then its component's
    smallest node."""
    parent = np.arange(n_nodes, dtype=np.int64)
    a = np.asarray(tails, dtype=np.int64)
    b = np.asarray(heads, dtype=np.int64)
    while len(a):
        ra, rb = parent[a], parent[b]
        apart = ra != rb
        if not apart.any():
            break
        ra, rb = ra[apart], rb[apart]
        a, b = a[apart], b[apart]  # edges inside one tree stay inside it
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        _flatten(parent)
    roots = parent == np.arange(n_nodes)
    number = np.cumsum(roots) - 1
    labels: IntArray = number[parent]
    return int(roots.sum()), labels


def _flatten(parent: IntArray) -> None:
    """Point every node at its root (parents are never larger than their nodes)."""
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return
        parent[:] = grand
