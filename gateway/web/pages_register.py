"""The register's screens: «Продажа» (a counter sale) and «Смена» (shift, X report, cash)."""

from .pages import Page

PAGES: list[Page] = []  # filled in by the register screens' work
