"""The capitated budget against what is charged to it: :class:`Budget`.

A medical group that receives the whole health budget of its residents (capitation) keeps
what it does not spend and pays any overrun itself. The balance is ``budget - charged``:
positive, the group keeps it; negative, an overrun, which is always reported as one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Budget", "money_text"]


def money_text(yuan: float) -> str:
    """Yuan as short text: ``"12.3 M yuan"``, ``"4.56 bn yuan"``, ``"8,400 yuan"``.

    Parameters
    ----------
    yuan : float

    Returns
    -------
    str

    Examples
    --------
    >>> money_text(12_345_678), money_text(-8_400), money_text(4.56e9)
    ('12.3 M yuan', '-8,400 yuan', '4.56 bn yuan')
    """
    if not math.isfinite(yuan):
        return "n/a"
    a = abs(yuan)
    if a >= 1e9:
        return f"{yuan / 1e9:,.2f} bn yuan"
    if a >= 1e6:
        return f"{yuan / 1e6:,.1f} M yuan"
    return f"{yuan:,.0f} yuan"


@dataclass(frozen=True)
class Budget:
    """A stated budget and the cost charged to it, per year.

    Parameters
    ----------
    budget_yuan : float
        NaN when no budget is stated.
    charged_yuan : float
        The sum of the items charged to the budget.
    items : tuple of str
        Those items.
    """

    budget_yuan: float
    charged_yuan: float
    items: tuple[str, ...] = ()

    @property
    def stated(self) -> bool:
        """Whether a budget is stated."""
        return math.isfinite(self.budget_yuan)

    @property
    def balance_yuan(self) -> float:
        """``budget - charged`` (negative: an overrun); NaN without a budget."""
        return self.budget_yuan - self.charged_yuan if self.stated else math.nan

    @property
    def overrun_yuan(self) -> float:
        """How much the charged cost exceeds the budget (0 when it fits; NaN: no budget)."""
        return max(0.0, -self.balance_yuan) if self.stated else math.nan

    @property
    def is_overrun(self) -> bool:
        """Whether the charged cost exceeds the budget."""
        return self.stated and self.balance_yuan < 0

    def text(self) -> str:
        """One phrase: the budget, what is charged and the balance or the overrun.

        Returns
        -------
        str
            E.g. ``"budget 2.66 bn yuan, charged 2.70 bn yuan: overrun of 42.0 M yuan"``.
        """
        charged = money_text(self.charged_yuan)
        if not self.stated:
            return f"no budget stated (charged {charged})"
        head = f"budget {money_text(self.budget_yuan)}, charged {charged}"
        if self.is_overrun:
            return f"{head}: overrun of {money_text(-self.balance_yuan)}"
        return f"{head}: balance {money_text(self.balance_yuan)} kept by the group"
