"""The region's smart city strategy: vision, action fields, projects, milestones, KPIs,
evaluations and their history, published on the public website."""
