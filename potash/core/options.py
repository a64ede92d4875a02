"""Run-time checks for options given as ``typing.Literal`` sets (no ``assert``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, get_args


def check_option(name: str, value: Any, allowed: Any) -> Any:
    """Return ``value`` if it is one of ``allowed``, else raise a ``ValueError`` listing them.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        What the caller passed.
    allowed : typing.Literal or iterable
        A ``Literal[...]`` type or an iterable of allowed values.

    Returns
    -------
    object
        ``value``, unchanged.

    Examples
    --------
    >>> from typing import Literal
    >>> check_option("kind", "log", Literal["simple", "log"])
    'log'
    """
    choices = get_args(allowed) or tuple(allowed if isinstance(allowed, Iterable) else ())
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}={value!r} is not allowed; choose one of {listed}")
    return value
