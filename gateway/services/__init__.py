"""Use cases as plain functions over a unit of work. Each runs inside one transaction."""
