"""The goods screens: «Приёмка» (receiving by scan) and «Инвентаризация» (stocktake)."""

from .pages import Page

PAGES: list[Page] = []  # filled in by the goods screens' work
