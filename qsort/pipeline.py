"""The analysis pipeline: from a study to an :class:`~qsort.result.AnalysisResult`.

Steps, in order (each in its own module): correlation, extraction, automatic rotation (one of
``qsort.methods.ROTATIONS``, with the profile's orientation rule), judgmental rotation steps,
factor inversions, automatic flagging, bipolar splits, manual flags, scores (weights, z-scores,
arrays), characteristics, and the statement tables. The profile is data that the steps read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from qsort import flagging
from qsort.analytic import orient_psych
from qsort.characteristics import (
    Characteristics,
    factor_characteristics,
    score_correlations,
    sed_matrix,
)
from qsort.correlation import correlate
from qsort.errors import Notice, OptionError
from qsort.extraction import extract
from qsort.methods import (
    ROTATIONS,
    CorrelationMethod,
    ExtractionMethod,
    ProfileName,
    RotationName,
)
from qsort.options import FlagOverride, Options
from qsort.profiles import Profile, get_profile
from qsort.result import AnalysisResult, Factor
from qsort.rotation import (
    Rotated,
    RotationStep,
    apply_steps,
    invert,
    reflect_signed_squares,
    split_bipolar,
)
from qsort.scores import FactorScore, array_pattern, score_factor
from qsort.statements import (
    CribSheet,
    Marked,
    consensus,
    crib_sheets,
    descending_differences,
    disagreement_order,
    distinguishing,
    pairs,
    qdc_name,
    qdc_table,
)
from qsort.study import Study

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def analyze(
    study: Study,
    factors: int = 3,
    extraction: ExtractionMethod | None = None,
    rotation: RotationName = "varimax",
    correlation: CorrelationMethod = "pearson",
    profile: ProfileName = "pqmethod",
    *,
    flag_level: float | None = 1.96,
    majority: bool = True,
    allow_negative: bool = True,
    rotation_steps: Sequence[RotationStep] = (),
    invert_factors: Iterable[int] = (),
    split_bipolar_factors: Iterable[int] = (),
    manual_flags: Iterable[FlagOverride] = (),
) -> AnalysisResult:
    """Run a complete Q-methodological factor analysis.

    Parameters
    ----------
    study : Study
        Validated sorts, statements and grid.
    factors : int
        Number of factors to extract and rotate.
    extraction : {"centroid", "horst", "pca"}, optional
        Defaults to the profile's usual method: centroid for pqmethod, pca for qmethod.
    rotation : str
        "varimax" or "none"; in the qmethod profile also the rotations psych offers
        (``qsort.methods.ROTATIONS``: quartimax, equamax, oblimax, geomin_ort, and the oblique
        promax, oblimin, quartimin, geomin_obl).
    correlation : {"pearson", "spearman", "kendall"}
    profile : {"pqmethod", "qmethod"}
        Whose conventions to follow (see ``qsort.profiles``).
    flag_level : float or None
        Critical z for automatic flagging (1.96 is p < .05), or None for majority-only.
    majority : bool
        Require the majority of common variance for a flag.
    allow_negative : bool
        Let significant negative loadings be flagged (a warning names them).
    rotation_steps : sequence of RotationStep
        Judgmental rotations applied, in order, after the automatic rotation.
    invert_factors : iterable of int
        1-based factors to multiply by -1.
    split_bipolar_factors : iterable of int
        1-based factors to split into a positive and a negative half.
    manual_flags : iterable of FlagOverride
        Flags set or cleared by hand (by sort and factor name) after the automatic flagging.

    Returns
    -------
    AnalysisResult

    Examples
    --------
    >>> result = analyze(study, factors=3, extraction="centroid", profile="pqmethod")
    >>> result.factors[0].array  # doctest: +SKIP
    """
    options = Options(
        profile=profile,
        correlation=correlation,
        extraction=extraction or get_profile(profile).default_extraction,
        n_factors=factors,
        rotation=rotation,
        rotation_steps=tuple(rotation_steps),
        inversions=tuple(invert_factors),
        bipolar_splits=tuple(split_bipolar_factors),
        flag_level=flag_level,
        majority=majority,
        allow_negative=allow_negative,
        manual_flags=tuple(manual_flags),
    )
    return run(study, options)


def run(study: Study, options: Options) -> AnalysisResult:
    """Run the analysis that ``options`` describe (see :func:`analyze`).

    Parameters
    ----------
    study : Study
        Validated sorts (N statements x n sorts), statements and grid.
    options : Options
        Every choice of the analysis, already checked.

    Returns
    -------
    AnalysisResult
        Loadings of shape (n, k), flags, one :class:`Factor` per factor and the comparisons
        between the defined ones, with every notice the steps raised.

    Raises
    ------
    QsortError
        A subclass naming the step that refused the data or the options.
    """
    prof = get_profile(options.profile)
    pattern = array_pattern(study.grid, study.n_statements)
    corr = correlate(study.sorts, options.correlation)
    extracted = extract(corr, options.n_factors, options.extraction, prof, study.sort_names)
    notices: list[Notice] = list(extracted.notices)
    rotated = rotate(extracted.loadings, options, prof)
    notices += rotated.notices
    loadings, phi = judge(rotated.loadings, rotated.phi, options)
    loadings, flags, names = flag_and_split(loadings, study.n_statements, options)
    phi = _split_phi(phi, options.bipolar_splits)
    flags = flagging.apply_manual(flags, _overrides(options.manual_flags, study, names))
    notices += flagging.flag_notices(loadings, flags, study.sort_names, names)
    scores: list[FactorScore] = []
    for k, name in enumerate(names):
        score, found = score_factor(
            study.sorts,
            loadings[:, k],
            flags[:, k],
            pattern,
            prof,
            study.sort_names,
            name,
            study.statement_ids,
        )
        scores.append(score)
        notices += found
    factors, comparisons = _compare(
        loadings, flags, names, scores, prof, notices, study.n_statements
    )
    values = corr.eigenvalues()
    return AnalysisResult(
        study=study,
        options=options,
        profile=prof,
        correlations=corr,
        correlation_eigenvalues=_frozen(values),
        unrotated=_frozen(extracted.loadings),
        unrotated_eigenvalues=_frozen(extracted.eigenvalues),
        loadings=_frozen(loadings),
        flags=_frozen(flags),
        factors=factors,
        rotation_iterations=rotated.iterations,
        factor_correlations=_maybe_frozen(phi),
        notices=tuple(notices),
        **comparisons,
    )


def rotate(loadings: FloatArray, options: Options, prof: Profile) -> Rotated:
    """The automatic rotation the options name, with the profile's orientation rule.

    Parameters
    ----------
    loadings : ndarray, shape (n, k)
        Extracted loadings.
    options : Options
    prof : Profile

    Returns
    -------
    Rotated
        Loadings (and phi after an oblique rotation) reflected (PQMethod) or reordered and
        signed as psych does (qmethod's PCA path); unchanged for "none" or a single factor.
        ``rotation`` is the matrix before reflection or reordering.
    """
    if options.rotation == "none" or loadings.shape[1] < 2:
        return Rotated(loadings, np.eye(loadings.shape[1]), 0, True, ())
    rotated = ROTATIONS[options.rotation].rotate(loadings, prof)
    result, phi = rotated.loadings, rotated.phi
    if prof.reflect_after_varimax:
        result, reflected = reflect_signed_squares(result)
        signs = np.where(reflected, -1.0, 1.0)
        phi = None if phi is None else phi * np.outer(signs, signs)
    if prof.pca_reorder_after_rotation and options.extraction == "pca":
        result, phi = orient_psych(result, phi)
    return replace(rotated, loadings=result, phi=phi)


def judge(
    loadings: FloatArray, phi: FloatArray | None, options: Options
) -> tuple[FloatArray, FloatArray | None]:
    """Apply the judgmental rotation steps, then the inversions, to loadings and phi.

    A step turns the loadings by an orthogonal matrix G (``L @ G``), which turns the factors'
    correlations into ``G.T @ phi @ G``; an inversion negates a factor's row and column of phi.

    Parameters
    ----------
    loadings : ndarray, shape (n, k)
    phi : ndarray, shape (k, k), or None
    options : Options

    Returns
    -------
    loadings : ndarray, shape (n, k)
    phi : ndarray, shape (k, k), or None
    """
    k = loadings.shape[1]
    loadings = apply_steps(loadings, options.rotation_steps)
    signs = np.ones(k)
    for factor in options.inversions:
        loadings = invert(loadings, factor)
        signs[factor - 1] *= -1.0
    if phi is not None:
        turn = apply_steps(np.eye(k), options.rotation_steps)
        phi = (turn.T @ phi @ turn) * np.outer(signs, signs)
    return loadings, phi


def _split_phi(phi: FloatArray | None, factors: tuple[int, ...]) -> FloatArray | None:
    """Phi after bipolar splits: each negative pole correlates -1 with its positive pole."""
    if phi is None:
        return None
    for factor in sorted(set(factors), reverse=True):
        mirror = -phi[factor - 1]
        phi = np.insert(phi, factor, mirror, axis=0)
        phi = np.insert(phi, factor, np.insert(mirror, factor, 1.0), axis=1)
    return phi


def flag_and_split(
    loadings: FloatArray, n_statements: int, options: Options
) -> tuple[FloatArray, BoolArray, tuple[str, ...]]:
    """Automatic flags, then bipolar splits; negative flags are dropped last when forbidden.

    Flags are drawn with negative loadings allowed so that a split can move them to the mirror
    half (where they are positive); only then are the remaining negative flags removed if the
    options forbid them.

    Parameters
    ----------
    loadings : ndarray, shape (n, k)
        Loadings after rotation, judgmental steps and inversions.
    n_statements : int
    options : Options
        Flag criteria and the factors to split.

    Returns
    -------
    loadings : ndarray, shape (n, f)
    flags : ndarray of bool, shape (n, f)
    names : tuple of str
        ``F1``, ``F2``, ...; a split factor's halves are ``F2a`` and ``F2b``.
    """
    criteria = flagging.FlagCriteria(options.flag_level, options.majority, allow_negative=True)
    flags = flagging.auto_flags(loadings, n_statements, criteria)
    loadings, flags, names = _split(loadings, flags, options.bipolar_splits)
    if not options.allow_negative:
        flags = flags & (loadings > 0)
    return loadings, flags, names


def _split(
    loadings: FloatArray, flags: BoolArray, factors: tuple[int, ...]
) -> tuple[FloatArray, BoolArray, tuple[str, ...]]:
    """Split bipolar factors, highest number first so that earlier numbers stay valid."""
    names = [f"F{k + 1}" for k in range(loadings.shape[1])]
    for factor in sorted(set(factors), reverse=True):
        loadings, flags = split_bipolar(loadings, flags, factor)
        base = names[factor - 1]
        names[factor - 1 : factor] = [f"{base}a", f"{base}b"]
    return loadings, flags, tuple(names)


def _overrides(
    manual: tuple[FlagOverride, ...], study: Study, names: tuple[str, ...]
) -> list[flagging.ManualFlag]:
    """Translate flags given by names into index-based overrides, naming any unknown name."""
    result = []
    for item in manual:
        if item.sort not in study.sort_names:
            raise OptionError(
                f"manual flag: no Q-sort named {item.sort!r}; "
                f"expected one of {list(study.sort_names)}"
            )
        if item.factor not in names:
            raise OptionError(
                f"manual flag: no factor named {item.factor!r}; expected one of {list(names)}"
            )
        result.append(
            flagging.ManualFlag(
                study.sort_names.index(item.sort), names.index(item.factor), item.flagged
            )
        )
    return result


def _compare(
    loadings: FloatArray,
    flags: BoolArray,
    names: tuple[str, ...],
    scores: list[FactorScore],
    prof: Profile,
    notices: list[Notice],
    n_statements: int,
) -> tuple[tuple[Factor, ...], dict[str, Any]]:
    """Characteristics of every factor, and the comparisons between the defined ones.

    Only factors with defining sorts (z-scores and an array) enter the comparisons; a notice
    is appended to ``notices`` when fewer than two do, since nothing can then be compared.
    """
    chars = _characteristics(loadings, flags, scores)
    defined = [k for k, s in enumerate(scores) if s.zscores is not None and s.array is not None]
    z = _columns([scores[k].zscores for k in defined], loadings.dtype, n_statements)
    arrays = _columns([scores[k].array for k in defined], np.dtype(np.int64), n_statements)
    sed = sed_matrix(np.array([chars[k].se for k in defined], dtype=np.float64))
    if len(defined) < 2:
        notices.append(_single_factor_notice(len(defined)))
    dist = distinguishing(z, sed, prof) if len(defined) > 1 else tuple(() for _ in defined)
    cribs = crib_sheets(arrays) if defined else ()
    tables = {k: (dist[i], cribs[i]) for i, k in enumerate(defined)}
    factors = tuple(
        _factor(name, scores[k], chars[k], *tables.get(k, ((), None)))
        for k, name in enumerate(names)
    )
    return factors, _comparisons(z, sed, prof, tuple(names[k] for k in defined))


def _characteristics(
    loadings: FloatArray, flags: BoolArray, scores: list[FactorScore]
) -> list[Characteristics]:
    """Characteristics of each factor (column of ``loadings``), defined or not."""
    return [
        factor_characteristics(loadings[:, k], int(flags[:, k].sum()), s.zscores)
        for k, s in enumerate(scores)
    ]


def _single_factor_notice(n_defined: int) -> Notice:
    """The notice that fewer than two factors are defined, so nothing can be compared."""
    return Notice(
        "single-factor",
        f"only {n_defined} factor(s) have defining sorts, so there are no "
        "distinguishing or consensus statements",
    )


def _factor(
    name: str,
    score: FactorScore,
    chars: Characteristics,
    distinguishing: tuple[Marked, ...],
    crib: CribSheet | None,
) -> Factor:
    """One factor of the result, its arrays frozen."""
    return Factor(
        name=name,
        weights=_frozen(score.weights),
        zscores=_maybe_frozen(score.zscores),
        array=_maybe_frozen(score.array),
        ranks=_maybe_frozen(score.ranks),
        characteristics=chars,
        distinguishing=distinguishing,
        crib=crib,
    )


def _comparisons(
    z: FloatArray, sed: FloatArray, prof: Profile, labels: tuple[str, ...]
) -> dict[str, Any]:
    """The tables that compare the defined factors, keyed as :class:`AnalysisResult` fields.

    ``z`` holds one column of z-scores per defined factor, shape (N, d); ``sed`` is (d, d);
    ``labels`` names the columns. Consensus, disagreement and QDC need two factors or more.
    """
    multi = len(labels) > 1
    return {
        "score_correlations": _frozen(score_correlations(z) if labels else np.zeros((0, 0))),
        "sed": _frozen(sed),
        "consensus": consensus(z, sed, prof) if multi else (),
        "differences": {
            (labels[a], labels[b]): descending_differences(z, a, b) for a, b in pairs(len(labels))
        },
        "disagreement": disagreement_order(z) if multi else (),
        "qdc": qdc_table(z, sed, prof, tuple(qdc_name(label) for label in labels))
        if multi and prof.qdc_table
        else None,
    }


def _columns(columns: list[NDArray[Any] | None], dtype: np.dtype[Any], rows: int) -> NDArray[Any]:
    """Stack per-factor vectors as columns (an empty (rows, 0) array when there are none)."""
    present = [c for c in columns if c is not None]
    if not present:
        return np.zeros((rows, 0), dtype=dtype)
    return np.column_stack(present).astype(dtype)


ArrayT = TypeVar("ArrayT", bound=NDArray[Any])


def _frozen(values: ArrayT) -> ArrayT:
    """A read-only copy, so that a result cannot be changed after the fact."""
    copy = values.copy()
    copy.setflags(write=False)
    return copy


def _maybe_frozen(values: ArrayT | None) -> ArrayT | None:
    return None if values is None else _frozen(values)
