"""One module per agent node, named after the node (import each node from its module)."""
