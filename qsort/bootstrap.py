"""How stable each viewpoint is: the bootstrap of an analysis (Zabala and Pascual 2016).

Each resample draws n Q-sorts with replacement from the study's n sorts (numpy's
``default_rng(seed)``, one row of draws per resample) and is analysed with the original options:
the same correlation, extraction, number of factors, automatic rotation and profile. Its factors
are then matched to the original's, as qmethod's ``qmboots`` does with its target matrix: the
correlations between the resample's rotated loadings and the original's (automatically rotated)
loadings of the same sorts decide which resample factor is which original factor and whether it is
reflected. qmethod's ``qindtest`` resolves a swap of two factors only; here the order is the
assignment that maximises the sum of absolute correlations (any permutation), and each factor is
reflected when its correlation with its target is negative. The original's judgmental rotation
steps and inversions are applied next, then the same flagging criteria, weights, z-scores and
factor arrays. Bipolar splits and manual flags name factors and sorts of the original analysis
only, so a bootstrap refuses them.

What is reported (after qmethod's ``qmb.summary``):

* per sort and factor: the bootstrap mean and standard error of the loading over the resamples
  that drew the sort, and how often it was flagged in them;
* per statement and factor: the mean and standard error of the z-score over the resamples in
  which the factor has defining sorts, and how often its array position equals the original's.

Standard errors are sample standard deviations (``ddof=1``, as R's ``sd``). A resample that
cannot be analysed (for example too few distinct sorts for the number of factors) is left out of
every statistic and counted.

Speed: the correlations of a resample are columns of the full correlations' factor form ``F``;
principal components of a batch of resamples come from one batched ``eigh`` of the Gram matrices
``F diag(c) F'`` (c: how often each sort was drawn), or of submatrices of R when sorts are fewer
than the rows of ``F``; the z-scores of every resample are one matrix product. Rotations and the
centroid extractions run resample by resample through the pipeline's own steps.

References
----------
Zabala, A., and Pascual, U. (2016). Bootstrapping Q methodology to improve the understanding of
human perspectives. PLoS ONE, 11(2), e0148087.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import permutations
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qsort._checks import check_count
from qsort.correlation import Correlations
from qsort.errors import OptionError, QsortError
from qsort.extraction import extract
from qsort.options import Options
from qsort.pipeline import flag_and_split, judge, rotate
from qsort.profiles import Profile
from qsort.result import AnalysisResult
from qsort.scores import array_exact_grid, array_pattern, array_qmethod, factor_weights

__all__ = ["Bootstrap", "bootstrap", "match_factors", "render_bootstrap"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

BATCH = 64
"""Resamples whose principal components are computed in one batched decomposition."""

MAX_MATCHED_FACTORS = 8
"""Most factors a bootstrap matches (8! = 40,320 orders are compared for each resample)."""


@dataclass(frozen=True)
class Bootstrap:
    """Every resample's matched loadings, flags, z-scores and arrays, and their summaries.

    Attributes
    ----------
    result : AnalysisResult
        The original analysis (the target).
    seed : int
    draws : ndarray of int, shape (B, n)
        The 0-based sorts drawn by each resample.
    failed : tuple of (int, str)
        Resamples that could not be analysed, with the reason; left out of every statistic.
    loadings : ndarray, shape (B, n, k)
        Matched loadings of each original sort in each resample (a sort drawn several times has
        the same loadings in each copy); NaN where the sort was not drawn or the resample failed.
    flags : ndarray of bool, shape (B, n, k)
    zscores : ndarray, shape (B, N, k)
        NaN where the factor has no defining sort in the resample (or the resample failed).
    arrays : ndarray of int, shape (B, N, k)
        Factor arrays; 0 where the z-scores are NaN.
    """

    result: AnalysisResult
    seed: int
    draws: IntArray
    failed: tuple[tuple[int, str], ...]
    loadings: FloatArray
    flags: BoolArray
    zscores: FloatArray
    arrays: IntArray

    @property
    def resamples(self) -> int:
        """B, the number of resamples drawn (failed ones included)."""
        return int(self.draws.shape[0])

    @property
    def drawn(self) -> BoolArray:
        """Whether each sort was drawn by each usable resample, shape (B, n)."""
        return ~np.isnan(self.loadings[:, :, 0])

    @property
    def defined(self) -> BoolArray:
        """Whether each factor has z-scores in each resample, shape (B, k)."""
        return ~np.isnan(self.zscores[:, 0, :])

    @property
    def loading_mean(self) -> FloatArray:
        """Mean loading over the resamples that drew the sort, shape (n, k); NaN if none did."""
        return _mean(self.loadings)

    @property
    def loading_se(self) -> FloatArray:
        """Bootstrap standard error of each loading, shape (n, k); NaN below two draws."""
        return _se(self.loadings)

    @property
    def flag_frequency(self) -> FloatArray:
        """Share of the resamples drawing the sort in which it is flagged, shape (n, k)."""
        drawn = self.drawn.sum(axis=0)[:, None]
        return _ratio(self.flags.sum(axis=0), drawn)

    @property
    def zscore_mean(self) -> FloatArray:
        """Mean z-score over the resamples where the factor is defined, shape (N, k)."""
        return _mean(self.zscores)

    @property
    def zscore_se(self) -> FloatArray:
        """Bootstrap standard error of each z-score, shape (N, k)."""
        return _se(self.zscores)

    @property
    def array_kept(self) -> FloatArray:
        """Share of resamples (factor defined) keeping the original array value, shape (N, k).

        NaN for a factor the original analysis leaves undefined.
        """
        original = _original_arrays(self.result)
        same = (self.arrays == original[None]) & self.defined[:, None, :]
        kept = _ratio(same.sum(axis=0), self.defined.sum(axis=0)[None, :])
        kept[:, ~_defined_factors(self.result)] = np.nan
        return kept

    def to_dict(self) -> dict[str, Any]:
        """The summaries as JSON-ready values (NaN as null).

        Returns
        -------
        dict
            ``format``, ``version``, ``resamples``, ``seed``, ``failed``, ``options``, the
            names of sorts, statements and factors, then ``loadings`` (original, mean, se,
            flag_frequency: one row per sort, one column per factor) and ``statements``
            (zscores, zscore_mean, zscore_se, arrays, array_kept: one row per statement).
        """
        result = self.result
        return {
            "format": "qsort-bootstrap",
            "version": 1,
            "resamples": self.resamples,
            "seed": self.seed,
            "failed": [{"resample": b, "reason": why} for b, why in self.failed],
            "options": result.options.to_dict(),
            "sorts": list(result.study.sort_names),
            "statements": list(result.study.statement_ids),
            "factors": list(result.factor_names),
            "defined_resamples": self.defined.sum(axis=0).tolist(),
            "loadings": {
                "original": _json(result.loadings),
                "mean": _json(self.loading_mean),
                "se": _json(self.loading_se),
                "flag_frequency": _json(self.flag_frequency),
            },
            "statements_summary": {
                "zscores": _json(_original_zscores(result)),
                "zscore_mean": _json(self.zscore_mean),
                "zscore_se": _json(self.zscore_se),
                "arrays": _json(
                    np.where(_defined_factors(result), _original_arrays(result), np.nan)
                ),
                "array_kept": _json(self.array_kept),
            },
        }


def bootstrap(result: AnalysisResult, resamples: int = 1000, seed: int = 0) -> Bootstrap:
    """Resample the sorts of an analysis and re-analyse each resample with its options.

    Parameters
    ----------
    result : AnalysisResult
        The original analysis; its study and options are resampled and reused.
    resamples : int, default 1000
        B, the number of resamples.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same seed draws the same resamples.

    Returns
    -------
    Bootstrap

    Raises
    ------
    OptionError
        For fewer than one resample, a negative seed, or options with bipolar splits or manual
        flags (they name the original analysis's factors and sorts).
    """
    from threadpoolctl import threadpool_limits

    resamples = check_count("resamples", resamples, 1)
    _check_options(result.options, seed)
    n = result.study.n_sorts
    draws = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    target = _target(result)
    state = _State.empty(result, resamples)
    # Many small decompositions: BLAS threads only contend (30 times slower on a busy machine).
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, resamples, BATCH):
            batch = draws[start : start + BATCH]
            for offset, extracted in enumerate(_extractions(result, batch)):
                _analyse(state, result, target, start + offset, batch[offset], extracted)
        zscores, arrays = _scores(result, state.weights, state.usable & state.has_flags)
    return Bootstrap(
        result=result,
        seed=seed,
        draws=draws.astype(np.int64),
        failed=tuple(state.failed),
        loadings=state.loadings,
        flags=state.flags,
        zscores=zscores,
        arrays=arrays,
    )


def match_factors(loadings: FloatArray, target: FloatArray) -> tuple[IntArray, FloatArray]:
    """Which resample factor is which target factor, and whether it is reflected.

    Parameters
    ----------
    loadings : ndarray, shape (m, k)
        A resample's loadings.
    target : ndarray, shape (m, k)
        The original's loadings of the same sorts (row for row).

    Returns
    -------
    order : ndarray of int, shape (k,)
        ``loadings[:, order[j]]`` is matched to target factor j: of all orders, the one with the
        largest sum of absolute correlations (a column without spread correlates 0; the first
        such order when several tie).
    signs : ndarray, shape (k,)
        -1 where the matched correlation is negative, else +1.
    """
    k = target.shape[1]
    corr = _column_correlations(loadings, target)
    orders = _orders(k)
    order = orders[int(np.argmax(np.abs(corr[orders, np.arange(k)]).sum(axis=1)))]
    return order, np.where(corr[order, np.arange(k)] < 0, -1.0, 1.0)


@cache
def _orders(k: int) -> IntArray:
    """Every order of k factors, shape (k!, k), the identity first."""
    if k > MAX_MATCHED_FACTORS:
        raise OptionError(
            f"bootstrap: at most {MAX_MATCHED_FACTORS} factors can be matched, found {k}"
        )
    return np.array(list(permutations(range(k))), dtype=np.int64).reshape(-1, k)


def _column_correlations(first: FloatArray, second: FloatArray) -> FloatArray:
    """Pearson correlations between the columns of two matrices, shape (k, k); NaN as 0."""
    a = first - first.mean(axis=0)
    b = second - second.mean(axis=0)
    norms = np.outer(np.sqrt((a**2).sum(axis=0)), np.sqrt((b**2).sum(axis=0)))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = (a.T @ b) / norms
    return np.asarray(np.nan_to_num(corr, nan=0.0, posinf=0.0, neginf=0.0), dtype=np.float64)


def _check_options(options: Options, seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise OptionError(f"seed: expected a whole number 0 or more, found {seed!r}")
    if options.n_factors > MAX_MATCHED_FACTORS:
        raise OptionError(
            f"bootstrap: at most {MAX_MATCHED_FACTORS} factors can be matched to the original's, "
            f"found {options.n_factors}"
        )
    if options.bipolar_splits or options.manual_flags:
        raise OptionError(
            "bootstrap: bipolar splits and manual flags name the original analysis's factors "
            "and sorts, which a resample does not have; bootstrap the analysis without them"
        )


def _target(result: AnalysisResult) -> FloatArray:
    """The original's loadings after the automatic rotation, before any judgmental step."""
    return rotate(np.array(result.unrotated), result.options, result.profile).loadings


@dataclass
class _State:
    """What the resample loop fills in, one slice per resample."""

    loadings: FloatArray
    flags: BoolArray
    weights: FloatArray
    usable: BoolArray
    has_flags: BoolArray
    failed: list[tuple[int, str]]

    @classmethod
    def empty(cls, result: AnalysisResult, resamples: int) -> _State:
        n, k = result.study.n_sorts, result.options.n_factors
        return cls(
            loadings=np.full((resamples, n, k), np.nan),
            flags=np.zeros((resamples, n, k), dtype=np.bool_),
            weights=np.zeros((resamples, n, k)),
            usable=np.zeros((resamples, 1), dtype=np.bool_),
            has_flags=np.zeros((resamples, k), dtype=np.bool_),
            failed=[],
        )


def _analyse(
    state: _State,
    result: AnalysisResult,
    target: FloatArray,
    b: int,
    draw: IntArray,
    extracted: FloatArray | str,
) -> None:
    """Rotate, match, judge, flag and weight resample b, writing its slice of ``state``."""
    if isinstance(extracted, str):
        state.failed.append((b, extracted))
        return
    options, prof = result.options, result.profile
    rotated = rotate(extracted, options, prof).loadings
    order, signs = match_factors(rotated, target[draw])
    loadings, _ = judge(rotated[:, order] * signs, None, options)
    _, flags, _ = flag_and_split(loadings, result.study.n_statements, options)
    names = tuple(result.study.sort_names[j] for j in draw)
    for k in range(loadings.shape[1]):
        weights, _ = factor_weights(loadings[:, k], flags[:, k], names, prof.heywood_rule)
        np.add.at(state.weights[b, :, k], draw, weights)
    state.loadings[b, draw] = loadings
    state.flags[b, draw] = flags
    state.usable[b] = True
    state.has_flags[b] = flags.any(axis=0)


def _extractions(result: AnalysisResult, batch: IntArray) -> list[FloatArray | str]:
    """Unrotated loadings of each resample of a batch (shape (n, k)), or why there are none."""
    if result.options.extraction == "pca":
        return _principal_batch(
            result.correlations, batch, result.options.n_factors, result.profile
        )
    found: list[FloatArray | str] = []
    for draw in batch:
        corr = Correlations(result.correlations.method, result.correlations.factor[:, draw])
        try:
            extracted = extract(
                corr, result.options.n_factors, result.options.extraction, result.profile
            )
        except QsortError as error:
            found.append(str(error))
        else:
            found.append(extracted.loadings)
    return found


def _principal_batch(
    corr: Correlations, batch: IntArray, k: int, prof: Profile
) -> list[FloatArray | str]:
    """Principal components of a batch of resamples by one batched eigendecomposition.

    With no more rows in the factor form F than sorts, the Gram matrices ``F diag(c) F'`` (m x m)
    share the non-zero eigenvalues of the resamples' R, and an eigenvector u gives the loadings
    ``F[:, draw].T @ u``; otherwise the resamples' R are submatrices of the full R. The rank rule
    and the sign rule are those of :func:`qsort.extraction.extract`.
    """
    factor = corr.factor
    rows, n = factor.shape
    if rows <= n:
        counts = np.stack([np.bincount(draw, minlength=n) for draw in batch]).astype(np.float64)
        values, vectors = np.linalg.eigh(np.einsum("mi,bi,li->bml", factor, counts, factor))
        loadings = np.einsum("mbi,bmk->bik", factor[:, batch], vectors[:, :, ::-1][:, :, :k])
    else:
        full = corr.matrix()
        values, vectors = np.linalg.eigh(full[batch[:, :, None], batch[:, None, :]])
        top = np.maximum(values[:, ::-1][:, :k], np.finfo(np.float64).eps)
        loadings = vectors[:, :, ::-1][:, :, :k] * np.sqrt(top)[:, None, :]
    values = np.maximum(values[:, ::-1], 0.0)
    rank = (values > values[:, :1] * max(n, rows) * np.finfo(np.float64).eps).sum(axis=1)
    loadings *= _signs(loadings, prof)
    return [
        loadings[i] if rank[i] >= k else _rank_message(k, int(rank[i])) for i in range(len(batch))
    ]


def _signs(loadings: FloatArray, prof: Profile) -> FloatArray:
    """The profile's PCA sign rule on a batch, shape (B, 1, k)."""
    if prof.pca_sign_rule == "signed-squares":
        criterion = np.sum(loadings * np.abs(loadings), axis=1, keepdims=True)
    else:
        criterion = np.sum(loadings, axis=1, keepdims=True)
    return np.where(criterion < 0, -1.0, 1.0)


def _rank_message(k: int, rank: int) -> str:
    return f"{k} factors requested, but the resample's correlations have rank {rank}"


def _scores(
    result: AnalysisResult, weights: FloatArray, flagged: BoolArray
) -> tuple[FloatArray, IntArray]:
    """z-scores (B, N, k) of every resample in one product, and their factor arrays."""
    sorts = result.study.sorts.astype(np.float64)
    if result.profile.standardize_sorts:
        sorts = (sorts - sorts.mean(axis=0)) / sorts.std(axis=0, ddof=1)
    totals = np.einsum("ij,bjk->bik", sorts, weights)
    spread = totals.std(axis=1, ddof=1, keepdims=True)
    flat = spread <= 1e-12 * np.maximum(1.0, np.abs(totals).max(axis=1, keepdims=True))
    defined = flagged[:, None, :] & ~flat
    with np.errstate(invalid="ignore", divide="ignore"):
        zscores = np.where(defined, (totals - totals.mean(axis=1, keepdims=True)) / spread, np.nan)
    return zscores, _arrays(result, zscores)


def _arrays(result: AnalysisResult, zscores: FloatArray) -> IntArray:
    """The profile's factor array of every defined (resample, factor); 0 elsewhere."""
    pattern = array_pattern(result.study.grid, result.study.n_statements)
    rule = array_exact_grid if result.profile.array_rule == "exact-grid" else array_qmethod
    arrays = np.zeros(zscores.shape, dtype=np.int64)
    for b, k in zip(*np.nonzero(~np.isnan(zscores[:, 0, :])), strict=True):
        arrays[b, :, k] = rule(zscores[b, :, k], pattern)
    return arrays


def _original_zscores(result: AnalysisResult) -> FloatArray:
    """The original's z-scores, shape (N, k), NaN for an undefined factor."""
    columns = [
        np.full(result.study.n_statements, np.nan) if f.zscores is None else f.zscores
        for f in result.factors
    ]
    return np.column_stack(columns)


def _original_arrays(result: AnalysisResult) -> IntArray:
    """The original's arrays, shape (N, k), 0 for an undefined factor."""
    columns = [
        np.zeros(result.study.n_statements, np.int64) if f.array is None else f.array
        for f in result.factors
    ]
    return np.column_stack(columns).astype(np.int64)


def _defined_factors(result: AnalysisResult) -> BoolArray:
    return np.array([f.defined for f in result.factors], dtype=np.bool_)


def _mean(values: FloatArray) -> FloatArray:
    """Mean over axis 0 ignoring NaN; NaN where every value is NaN."""
    count = (~np.isnan(values)).sum(axis=0)
    return _ratio(np.nansum(values, axis=0), count)


def _se(values: FloatArray) -> FloatArray:
    """Sample standard deviation (ddof=1) over axis 0 ignoring NaN; NaN below two values."""
    count = (~np.isnan(values)).sum(axis=0)
    deviations = np.where(np.isnan(values), 0.0, values - _mean(values)[None])
    return np.asarray(np.sqrt(_ratio((deviations**2).sum(axis=0), count - 1)), dtype=np.float64)


def _ratio(numerator: NDArray[Any], denominator: NDArray[Any]) -> FloatArray:
    """numerator / denominator, NaN where the denominator is not positive."""
    denominator = np.broadcast_to(denominator, numerator.shape)
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _json(values: NDArray[Any]) -> list[Any]:
    """Nested lists with NaN as None (full float precision)."""
    as_float = np.asarray(values, dtype=np.float64).astype(object)
    as_float[np.isnan(np.asarray(values, dtype=np.float64))] = None
    rows: list[Any] = as_float.tolist()
    return rows


def render_bootstrap(boot: Bootstrap, every_sort: bool = False) -> str:
    """The text ``qsort bootstrap`` prints: stability per factor, then per sort and statement.

    Up to ``qsort.summary.SORT_LIMIT`` sorts (or with ``every_sort``) the loadings are listed sort
    by sort; beyond it each factor's least stable defining sorts are named instead.

    Parameters
    ----------
    boot : Bootstrap
    every_sort : bool
        List every sort however many there are (``qsort bootstrap --all``).

    Returns
    -------
    str
        Plain text ending in a newline.
    """
    from qsort.summary import SORT_LIMIT, describe_options

    result = boot.result
    failed = f"; {len(boot.failed)} could not be analysed" if boot.failed else ""
    listed = every_sort or result.study.n_sorts <= SORT_LIMIT
    out = [
        f"Bootstrap of {result.study.title or 'Q study'}: {boot.resamples} resamples of "
        f"{result.study.n_sorts} Q-sorts drawn with replacement (seed {boot.seed}){failed}",
        describe_options(result),
        "",
        "How stable each factor is",
        *_stability_table(boot),
        "",
        *(_loadings_table(boot) if listed else _least_stable(boot)),
        "",
        "z-scores: original and bootstrap SE; array value and share of resamples keeping it",
        *_statements_table(boot),
    ]
    return "\n".join(out) + "\n"


def _stability_table(boot: Bootstrap) -> list[str]:
    from qsort.summary import text_table

    result = boot.result
    frequency, kept = boot.flag_frequency, boot.array_kept
    rows = []
    for k, name in enumerate(result.factor_names):
        defining = result.flags[:, k]
        rows.append(
            [
                name,
                str(int(boot.defined[:, k].sum())),
                _percent(float(_mean(frequency[defining, k][:, None])[0])),
                _percent(float(_mean(kept[:, k][:, None])[0])),
            ]
        )
    header = ["factor", "resamples defining it", "defining sorts flagged", "array values kept"]
    return text_table(header, rows)


def _least_stable(boot: Bootstrap, shown: int = 5) -> list[str]:
    """Each factor's defining sorts least often flagged in their resamples."""
    result = boot.result
    frequency = boot.flag_frequency
    lines = [
        f"Least stable defining sorts of {result.study.n_sorts:,} Q-sorts (share of resamples "
        "flagging them; --all lists every sort)"
    ]
    for k, name in enumerate(result.factor_names):
        defining = np.flatnonzero(result.flags[:, k])
        order = defining[np.argsort(np.nan_to_num(frequency[defining, k], nan=-1.0), kind="stable")]
        named = [f"{result.study.sort_names[j]} {_percent(frequency[j, k])}" for j in order[:shown]]
        lines.append(f"  {name}: {', '.join(named) or '(no defining sort)'}")
    return lines


def _loadings_table(boot: Bootstrap) -> list[str]:
    from qsort.summary import text_table

    result = boot.result
    mean, se, frequency = boot.loading_mean, boot.loading_se, boot.flag_frequency
    title = (
        "Loadings: original (X = defining), bootstrap mean and SE, share of resamples flagging it"
    )
    header = ["sort"]
    for name in result.factor_names:
        header += [name, "mean", "SE", "flag"]
    rows = []
    for j, sort in enumerate(result.study.sort_names):
        row = [sort]
        for k in range(len(result.factor_names)):
            mark = "X" if result.flags[j, k] else " "
            row += [
                f"{result.loadings[j, k]:.3f}{mark}",
                _fixed(mean[j, k]),
                _fixed(se[j, k]),
                _percent(frequency[j, k]),
            ]
        rows.append(row)
    return [title, *text_table(header, rows)]


def _statements_table(boot: Bootstrap) -> list[str]:
    from qsort.study import signed
    from qsort.summary import text_table

    result = boot.result
    defined = [k for k, f in enumerate(result.factors) if f.defined]
    z, se, kept = _original_zscores(result), boot.zscore_se, boot.array_kept
    arrays = _original_arrays(result)
    header = ["statement"]
    for k in defined:
        header += [f"{result.factor_names[k]} z", "SE", "array", "kept"]
    rows = []
    for i, statement in enumerate(result.study.statement_ids):
        row = [statement]
        for k in defined:
            row += [
                _fixed(z[i, k]),
                _fixed(se[i, k]),
                signed(int(arrays[i, k])),
                _percent(kept[i, k]),
            ]
        rows.append(row)
    return text_table(header, rows)


def _fixed(value: float) -> str:
    return "-" if np.isnan(value) else f"{value:.3f}"


def _percent(value: float) -> str:
    return "-" if np.isnan(value) else f"{100 * value:.0f}%"
