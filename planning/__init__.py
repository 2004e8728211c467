"""Planning: the restoration simulation and the staffing forecast it computes (pure)."""
