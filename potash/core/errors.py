"""Errors raised by potash on bad input.

Every data problem is reported as a :class:`PotashDataError` that names the file, the column,
the row and the problem, so that a user can open the file and see what is wrong.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PotashDataError"]


class PotashDataError(ValueError):
    """A data file or table that potash cannot use as it is.

    Subclasses :class:`ValueError`, so ``except ValueError`` also catches it.

    Parameters
    ----------
    problem : str
        What is wrong, in words a user can act on.
    file : str or Path, optional
        The file (or table name) the problem is in.
    column : str, optional
        The column the problem is in.
    row : int or str, optional
        The row: a 1-based line number in the file where known, else an index label.

    Examples
    --------
    >>> err = PotashDataError("not a number: 'abc'", file="prices.csv", column="value", row=7)
    >>> str(err)
    "prices.csv, column 'value', row 7: not a number: 'abc'"
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        column: str | None = None,
        row: int | str | None = None,
    ) -> None:
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.column = column
        self.row = row
        where = []
        if self.file is not None:
            where.append(self.file)
        if column is not None:
            where.append(f"column {column!r}")
        if row is not None:
            where.append(f"row {row}")
        super().__init__(f"{', '.join(where)}: {problem}" if where else problem)
