/** A node of a tree as a path shows it. */
export interface PathStep { id: number, slug: string, name: string }

/** A node of a tree with its parent, as read to build paths. */
export interface TreeNode extends PathStep { parentId: number | null }

// Deeper than any real tree; stops a walk should a cycle ever be written around the services.
const MAX_DEPTH = 100

/**
 * The ancestors of a node from the root down to its parent (itself excluded), given its
 * parent's id and the nodes above it by id. A node missing from `nodes` ends the path there.
 */
export function pathOf (parentId: number | null, nodes: ReadonlyMap<number, TreeNode>): PathStep[] {
  const path: PathStep[] = []
  for (let id = parentId; id !== null && path.length < MAX_DEPTH;) {
    const node = nodes.get(id)
    if (node === undefined) break
    path.push({ id: node.id, slug: node.slug, name: node.name })
    id = node.parentId
  }
  return path.reverse()
}
