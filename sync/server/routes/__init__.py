"""HTTP endpoints, one module per resource; every path is under /api/v1/."""
