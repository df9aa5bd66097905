"""Pure domain model: catalog, stock, orders. Imports no infrastructure."""
