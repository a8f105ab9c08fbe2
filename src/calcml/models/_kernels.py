"""Kernels of :class:`calcml.models.SVC` and an LRU cache of kernel rows.

=========  =====================================
linear     ``K(x, z) = x . z``
rbf        ``K(x, z) = exp(-gamma * ||x - z||^2)``
poly       ``K(x, z) = (gamma * x . z + coef0) ** degree``
=========  =====================================

The SMO solver needs two rows of the kernel matrix per iteration; :class:`KernelRows`
computes a row on first use and keeps the most recently used rows up to a memory
budget (libsvm's kernel cache, one row per entry). When the whole matrix fits in the
budget it is computed at once, which is faster in NumPy than row by row.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

__all__ = ["KERNELS", "kernel_matrix", "kernel_diag", "KernelRows"]

KERNELS = ("linear", "rbf", "poly")


def kernel_matrix(kernel: str, X: np.ndarray, Z: np.ndarray, *, gamma: float = 1.0,
                  degree: int = 3, coef0: float = 0.0) -> np.ndarray:
    """Kernel matrix ``K[a, b] = K(X[a], Z[b])``, shape ``(len(X), len(Z))``.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [1.0, 2.0]])
    >>> kernel_matrix("linear", X, X)
    array([[0., 0.],
           [0., 5.]])
    >>> kernel_matrix("rbf", X, X, gamma=0.2).round(4)
    array([[1.    , 0.3679],
           [0.3679, 1.    ]])
    """
    K = X @ Z.T
    if kernel == "linear":
        return K
    if kernel == "poly":
        K *= gamma
        K += coef0
        return K ** degree
    if kernel == "rbf":                 # in place: ||x||^2 + ||z||^2 - 2 x.z
        K *= -2.0
        K += np.einsum("ij,ij->i", X, X)[:, None]
        K += np.einsum("ij,ij->i", Z, Z)[None, :]
        np.maximum(K, 0.0, out=K)       # rounding can make ||x - x||^2 slightly negative
        K *= -gamma
        return np.exp(K, out=K)
    raise ValueError(f"unknown kernel {kernel!r}; use one of {KERNELS}")


def kernel_diag(kernel: str, X: np.ndarray, *, gamma: float = 1.0, degree: int = 3,
                coef0: float = 0.0) -> np.ndarray:
    """The diagonal ``K(x_i, x_i)`` without forming the matrix.

    Examples
    --------
    >>> kernel_diag("poly", np.array([[1.0, 2.0]]), gamma=1.0, degree=2, coef0=1.0)
    array([36.])
    """
    sq = np.einsum("ij,ij->i", X, X)
    if kernel == "linear":
        return sq
    if kernel == "poly":
        return (gamma * sq + coef0) ** degree
    return np.ones(X.shape[0])


class KernelRows:
    """Rows of the kernel matrix of ``X`` with itself, least recently used evicted first.

    Each entry holds row ``i`` of ``K`` and, once asked for, the row
    ``max(K_ii + K_tt - 2 K_it, tau)`` (SMO's second-order denominators for ``i``).

    Parameters
    ----------
    kernel, gamma, degree, coef0
        As in :func:`kernel_matrix`.
    X : ndarray, shape (n, d)
    cache_size : float, default: 200
        Memory budget in MB (two rows of ``n`` floats per entry).

    Attributes
    ----------
    capacity : int
        Entries kept (at least 2, at most ``n``).
    n_computed : int
        Rows computed so far (a row evicted and needed again counts twice).
    diag : ndarray, shape (n,)
        ``K(x_i, x_i)``.

    Examples
    --------
    >>> X = np.arange(8.0).reshape(4, 2)
    >>> rows = KernelRows("linear", X, cache_size=2 * 2 * 4 * 8 / 2**20)  # room for 2
    >>> rows.capacity, rows[3].tolist(), rows[0].tolist(), float(rows[3][0])
    (2, [7.0, 33.0, 59.0, 85.0], [1.0, 3.0, 5.0, 7.0], 7.0)
    >>> _ = rows[1]; rows.n_computed, sorted(rows._rows)   # row 0 was least recently used
    (3, [1, 3])
    >>> rows.quad(1).tolist()        # ||x_1 - x_t||^2 for the linear kernel
    [8.0, 1e-12, 8.0, 32.0]
    """

    def __init__(self, kernel: str, X: np.ndarray, *, gamma: float = 1.0, degree: int = 3,
                 coef0: float = 0.0, cache_size: float = 200.0, tau: float = 1e-12) -> None:
        self.kernel, self.X, self.tau = kernel, X, tau
        self.cache_size = cache_size
        self.params = dict(gamma=gamma, degree=degree, coef0=coef0)
        n = X.shape[0]
        self.sq = np.einsum("ij,ij->i", X, X) if kernel == "rbf" else None
        self.diag = kernel_diag(kernel, X, **self.params)
        self.n_computed = 0
        entries = int(cache_size * 2**20 // (16 * max(n, 1)))
        self.capacity = max(min(entries, n), 2)
        self._rows: OrderedDict[int, list] = OrderedDict()

    def subset(self, idx: np.ndarray) -> "KernelRows":
        """The rows of ``X[idx]`` (same budget), keeping what is cached, restricted.

        >>> rows = KernelRows("linear", np.arange(8.0).reshape(4, 2))
        >>> _ = rows[3]; sub = rows.subset(np.array([1, 3]))
        >>> sub[1].tolist(), sub.n_computed      # row 3 of X is row 1 of X[[1, 3]]
        ([33.0, 85.0], 0)
        """
        new = KernelRows(self.kernel, self.X[idx], cache_size=self.cache_size, tau=self.tau,
                         **self.params)
        where = np.full(self.X.shape[0], -1)
        where[idx] = np.arange(idx.size)
        for i, (row, quad) in self._rows.items():
            k = int(where[i])
            if k >= 0 and len(new._rows) < new.capacity:
                new._rows[k] = [row[idx], None if quad is None else quad[idx]]
        return new

    def block(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """``K[rows][:, cols]`` computed directly (not cached)."""
        return kernel_matrix(self.kernel, self.X[rows], self.X[cols], **self.params)

    def _compute(self, i: int) -> np.ndarray:
        self.n_computed += 1
        g = self.params["gamma"]
        dots = self.X @ self.X[i]
        if self.kernel == "linear":
            return dots
        if self.kernel == "poly":
            return (g * dots + self.params["coef0"]) ** self.params["degree"]
        d2 = self.sq + self.sq[i] - 2.0 * dots
        np.maximum(d2, 0.0, out=d2)
        return np.exp(-g * d2)

    def _entry(self, i: int) -> list:
        rows = self._rows
        entry = rows.get(i)
        if entry is not None:
            if self.capacity < self.X.shape[0]:     # eviction possible: keep LRU order
                rows.move_to_end(i)
            return entry
        entry = [self._compute(i), None]
        if len(rows) >= self.capacity:
            rows.popitem(last=False)
        rows[i] = entry
        return entry

    def __getitem__(self, i: int) -> np.ndarray:
        return self._entry(i)[0]

    def row_quad(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Row ``i`` and ``max(K_ii + K_tt - 2 K_it, tau)`` for all ``t``."""
        entry = self._entry(i)
        if entry[1] is None:
            q = self.diag + (self.diag[i] - 2.0 * entry[0])
            np.maximum(q, self.tau, out=q)
            entry[1] = q
        return entry[0], entry[1]

    def quad(self, i: int) -> np.ndarray:
        """``max(K_ii + K_tt - 2 K_it, tau)`` for all ``t``."""
        return self.row_quad(i)[1]
