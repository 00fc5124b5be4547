"""What is wrong in a county's file, worded for its staff (Problem, with its severity), and what a plain
value grid cannot say about a sheet's cells (SheetDetails)."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR, WARNING = "error", "warning"
SEVERITY_LABEL = {ERROR: "错误", WARNING: "提示"}


@dataclass(frozen=True)
class Problem:
    """Something wrong in a county's file, worded for the county's staff.

    severity: "error" (the value or the file is not accepted) or "warning" (accepted, but look).
    """

    file: str
    sheet: str
    cell: str
    message: str
    severity: str = ERROR
    item_id: str | None = None
    item_name: str | None = None
    raw: str | None = None

    @property
    def where(self) -> str:
        """Sheet and cell as a spreadsheet names them (填报表!J82), or what of them is known."""
        return "!".join(x for x in (self.sheet, self.cell) if x)

    @property
    def item(self) -> str:
        """The indicator or task it concerns (6.3.2a 建成区绿地率), or ""."""
        return f"{self.item_id} {self.item_name or ''}".strip() if self.item_id else ""

    def __str__(self) -> str:
        head = "｜".join(x for x in (self.file, self.where, self.item) if x)
        return f"［{SEVERITY_LABEL[self.severity]}］{head}：{self.message}"


@dataclass(frozen=True)
class SheetDetails:
    """What a plain value grid cannot say about a sheet's cells (row, col from 0): number formats other
    than General, cells holding an Excel error, and formula cells (True: with a cached result)."""

    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    formulas: dict[tuple[int, int], bool] = field(default_factory=dict)
    hidden: bool = False  # hidden or very hidden: not what the office sees on opening the file


# The number_format of a cell whose format cannot be known (a CSV): a bare fraction in a percentage row
# is then an error, never a silent value.
FORMAT_UNKNOWN = "?"
