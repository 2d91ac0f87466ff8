"""The demo's CRM facts: the activities and opportunities its reps leave, week by week.

`facts_generate` turns each rep's team archetype into behaviour: lever activities (meetings,
demos, proposals) lift after the rollout as the archetype says (`_lever_lift`), opportunities
open from meetings and demos, proposals follow an open one, and amounts and win rates follow the
territory. A team that does not report its levers logs them as 'other'; the `behaviour` column
keeps what the rep really did.

The facts are generated column-wise with numpy: rate per rep, week and activity type, Poisson
counts, then one row per activity by `np.repeat`; no Python object is built per activity.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from m3.demo.archetype import ARCH_INDEX, ARCHETYPES, Archetype
from m3.demo.organisation import Organisation
from m3.demo.timeline import BURN_IN_WEEKS, PRE_WEEKS, Timeline
from m3.vocabulary import ACTIVITY_TYPES

SOURCE = "demo"
CURRENCY = "USD"

CALL, EMAIL, MEETING, DEMO, PROPOSAL, OTHER = range(6)
LEVER_TYPES = (MEETING, DEMO, PROPOSAL)
STAGES = ("prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost")
PRODUCTS = ("Atlas Core", "Atlas Analytics", "Atlas Payments", "Atlas Care")

# Pre-rollout rates per rep per week (call, email, meeting, demo, proposal): the asks set
# meetings >= 5, demos >= 2, proposals >= 1, so the baseline sits below target on purpose.
BASE_RATE = np.array([45.0, 60.0, 5.0, 1.3, 0.6])
# Gamma shape of the week-to-week noise per type (smaller = noisier).
NOISE_SHAPE = np.array([25.0, 25.0, 10.0, 6.0, 6.0])
DAY_WEIGHTS = np.array([0.20, 0.22, 0.22, 0.20, 0.14, 0.014, 0.006])
HOUR_WEIGHTS = np.array([0.05, 0.12, 0.13, 0.12, 0.07, 0.09, 0.12, 0.12, 0.11, 0.07])  # 8h-17h
PRODUCT_MIX = np.array([0.45, 0.25, 0.20, 0.10])
POOR_PRODUCT_MIX = np.array([0.30, 0.20, 0.10, 0.40])
PRODUCT_AMOUNT = np.array([1.0, 0.8, 1.35, 0.45])
ACCOUNTS_PER_REP = 30
MEETING_OPENS_OPPORTUNITY = 0.3
# The poor territory: deal size and win rate against an ordinary team's, before the rollout and
# after it (when ROI-led selling meets accounts with no budget for it).
POOR_AMOUNT, POOR_AMOUNT_AFTER = 0.6, 0.4
POOR_WIN, POOR_WIN_AFTER = 0.45, 0.22
# Steady teams' ROI work wins a little more often after the rollout.
STEADY_WIN_LIFT = 1.05

ACCOUNT_PREFIXES = tuple(
    """Northwind Bluefin Crescent Silverline Redstone Ironbridge Brightwater Oakridge Summit
    Keystone Harborview Clearpath Greenfield Lakeside Westbrook Stonegate Riverbend Highland
    Pinecrest Maplewood Sunrise Goldleaf Blackrock Whitehall Fairview Cobalt Evergreen
    Copperfield Ashford Kingsley Meridian Pacifica Atlantic Horizon Vanguard Sterling
    Pinnacle Cornerstone Bayside Elmwood Foxglove Granite Hollow Juniper Larkspur Marble
    Newport Orion Pioneer Quarry Rosewood Seaview Thornbury Union Valley Willowby Yorkshire
    Zenith Beacon Cascade""".split()
)
ACCOUNT_CORES = tuple(
    """Logistics Health Foods Energy Robotics Analytics Insurance Retail Pharma Media Freight
    Textiles Dental Labs Capital Foundry Motors Water Solar Clinics Software Aviation Marine
    Brewing Packaging Chemicals Telecom Security Farms Hotels Education Finance Builders Print
    Outdoor Fitness Legal Realty Furniture Apparel""".split()
)
ACCOUNT_SUFFIXES = ("Inc", "Ltd", "Group", "Co", "Partners", "Holdings", "GmbH", "LLC", "SA", "AG")
CITIES = tuple(
    """Austin Boston Denver Leeds Lyon Porto Oslo Turin Dublin Ghent Bristol Seattle Phoenix
    Munich Madrid Krakow Utrecht Bergen Geneva Malmo""".split()
)

# An extra behaviour variant: the reps of the two-voices team who follow the overlay.
_OVERLAY_FOLLOWER = len(ARCHETYPES)


def _lever_lift(since: np.ndarray) -> np.ndarray:
    """Relative change of each activity type's rate, per behaviour variant and week.

    Shape (variants, weeks, 5): variants are the archetypes in `ARCHETYPES` order, then the
    two-voices reps who follow the overlay. 0 before the rollout; a rate is
    base * (1 + lift * the rep's responsiveness).
    """
    def ramp(tau: float) -> np.ndarray:
        return np.where(since >= 0, 1 - np.exp(-(since + 1) / tau), 0.0)

    lift = np.zeros((len(ARCHETYPES) + 1, len(since), 5))
    engaged = np.array([0.0, 0.03, 0.25, 0.8, 0.9])
    lift[ARCH_INDEX[Archetype.EXEMPLARY]] = ramp(2.5)[:, None] * engaged
    lift[ARCH_INDEX[Archetype.POOR_TERRITORY]] = ramp(2.5)[:, None] * engaged
    lift[ARCH_INDEX[Archetype.STEADY]] = ramp(4)[:, None] * np.array([0, 0, 0.2, 0.45, 0.5])
    # Faded: the one delivery lifts the levers for 2-3 weeks, then they decay below baseline.
    shape = np.where(since < 0, 0.0, np.where(since <= 2, (since + 1) / 3,
                                              np.exp(-(since - 2) / 1.8)))
    dip = np.where(since >= 6, 0.15, 0.0)
    lift[ARCH_INDEX[Archetype.FADED]] = (
        shape[:, None] * np.array([0, 0, 0.35, 0.9, 0.8])
        - dip[:, None] * np.array([0, 0, 1, 1, 1])
    )
    # Two voices: the manager asks for the ROI work, the overlay (from week 1) says skip the ROI
    # calculator and just demo. Reps who follow the manager start on the asks, then confusion
    # wears their lift away; those who follow the overlay demo more and drop discovery and
    # proposals. Confusion grows as the two voices keep contradicting each other.
    confusion = np.clip((since - 1) / 6, 0, 1)
    lift[ARCH_INDEX[Archetype.TWO_VOICES]] = (
        ramp(3)[:, None] * np.array([0, 0, 0.15, 0.3, 0.45])
        - confusion[:, None] * np.array([0, 0, 0.4, 0.5, 0.7])
    )
    lift[_OVERLAY_FOLLOWER] = (
        ramp(3)[:, None] * np.array([0, 0, -0.1, 0.6, -0.3])
        - confusion[:, None] * np.array([0, 0, 0.35, 0.2, 0.5])
    )
    # Unmeasured levers barely move.
    lift[ARCH_INDEX[Archetype.NO_LEVER_REPORTING]] = (
        ramp(4)[:, None] * np.array([0, 0, 0.05, 0.1, 0.1])
    )
    return lift


def _season(cal: Timeline) -> np.ndarray:
    """Weekly seasonality: a mild yearly wave and the holiday weeks at the turn of the year."""
    mondays = [cal.monday(w) for w in range(cal.n_weeks)]
    iso = np.array([m.isocalendar()[1] for m in mondays])
    wave = 1 + 0.06 * np.sin(2 * np.pi * (iso - 10) / 52)
    holiday = np.array([
        0.45 if (m.month, m.day) >= (12, 19) and m.month == 12 and m.day <= 25
        else 0.35 if (m.month == 12 and m.day >= 26) or (m.month == 1 and m.day == 1)
        else 1.0
        for m in mondays
    ])
    return wave * holiday


def facts_generate(
    rng: np.random.Generator, org: Organisation, cal: Timeline
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Activities and opportunities whose behaviour follows each rep's team archetype."""
    n_reps, n_weeks = int(org.team_of.shape[0]), int(org.team_of.shape[1])
    since = cal.since_rollout
    member = org.team_of >= 0
    arch = np.where(member, org.team_arch[np.maximum(org.team_of, 0)], -1)
    two_voices = ARCH_INDEX[Archetype.TWO_VOICES]
    follows_overlay = rng.random(n_reps) < 0.5
    variant = np.where((arch == two_voices) & follows_overlay[:, None], _OVERLAY_FOLLOWER, arch)

    # Rates per rep, week and type.
    skill = np.exp(rng.normal(0, 0.2, (n_reps, 1)) + rng.normal(0, 0.12, (n_reps, 5)))
    responsiveness = np.exp(rng.normal(0, 0.35, n_reps))
    lift = _lever_lift(since)[np.maximum(variant, 0), np.arange(n_weeks)[None, :]]
    shock = np.exp(rng.normal(0, 0.05, (len(org.teams), n_weeks)))
    team_shock = shock[np.maximum(org.team_of, 0), np.arange(n_weeks)[None, :]]
    on_leave = rng.random((n_reps, n_weeks)) < 0.025
    factor = _season(cal)[None, :] * team_shock * member * ~on_leave
    rate = (
        BASE_RATE[None, None, :] * skill[:, None, :] * factor[:, :, None]
        * np.maximum(1 + lift * responsiveness[:, None, None], 0.1)
    )
    # Burn-in weeks only feed the pipeline: no calls or emails needed there.
    rate[:, :BURN_IN_WEEKS, [CALL, EMAIL]] = 0
    noisy = rate * rng.gamma(NOISE_SHAPE, 1 / NOISE_SHAPE, rate.shape)
    counts = rng.poisson(noisy).ravel()

    # One row per activity.
    cell = np.repeat(np.arange(counts.size), counts)
    rep = (cell // (n_weeks * 5)).astype(np.int32)
    week = ((cell // 5) % n_weeks).astype(np.int32)
    kind = (cell % 5).astype(np.int8)
    n = cell.size
    day = rng.choice(7, size=n, p=DAY_WEIGHTS / DAY_WEIGHTS.sum())
    hour = 8 + rng.choice(10, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    weekend = day >= 5
    hour[weekend] = rng.integers(9, 15, size=int(weekend.sum()))
    scheduled = (kind == MEETING) | (kind == DEMO)  # meetings start on the hour or half hour
    minute = np.where(scheduled, 30 * rng.integers(0, 2, size=n), rng.integers(0, 60, size=n))
    second = np.where(scheduled, 0, rng.integers(0, 60, size=n))
    secs = (week.astype(np.int64) * 7 + day) * 86_400 + hour * 3600 + minute * 60 + second
    order = np.argsort(secs, kind="stable")
    rep, week, kind, secs = rep[order], week[order], kind[order], secs[order]
    row_arch = arch[rep, week]

    # Accounts: each rep works a block of accounts, key accounts (the first ones) most often.
    accounts = _account_names(rng, n_reps * ACCOUNTS_PER_REP)
    account = rep * ACCOUNTS_PER_REP + (ACCOUNTS_PER_REP * rng.random(n) ** 2).astype(np.int32)
    poor = row_arch == ARCH_INDEX[Archetype.POOR_TERRITORY]
    product = _product_draw(rng, poor)
    # Calls and emails name a product only now and then.
    chatter = (kind == CALL) | (kind == EMAIL)
    product[chatter & (rng.random(n) < 0.7)] = -1

    # Opportunities: some meetings open one; demos and proposals follow an open one of the rep's
    # (a demo with none opens one itself).
    opened = np.flatnonzero((kind == MEETING) & (rng.random(n) < MEETING_OPENS_OPPORTUNITY))
    opp_row = opened
    link = np.full(n, -1, dtype=np.int64)
    link[opened] = np.arange(opened.size)
    day_s = 86_400
    demos = np.flatnonzero(kind == DEMO)
    demo_link = _open_opportunity(rng, rep[opp_row], secs[opp_row], rep[demos], secs[demos],
                                  14 * day_s, 0)
    new = demos[demo_link < 0]
    link[demos] = np.where(demo_link >= 0, demo_link, -1)
    link[new] = opened.size + np.arange(new.size)
    opp_row = np.concatenate([opened, new])
    by_time = np.argsort(secs[opp_row], kind="stable")  # links must index opp_row as sorted
    remap = np.empty_like(by_time)
    remap[by_time] = np.arange(by_time.size)
    opp_row = opp_row[by_time]
    linked = link >= 0
    link[linked] = remap[link[linked]]
    proposals = np.flatnonzero(kind == PROPOSAL)
    link[proposals] = _open_opportunity(rng, rep[opp_row], secs[opp_row], rep[proposals],
                                        secs[proposals], 21 * day_s, day_s)
    linked = link >= 0
    account[linked] = account[opp_row[link[linked]]]
    product[linked] = product[opp_row[link[linked]]]

    opportunities, amount = _opportunities(rng, org, cal, opp_row, rep, secs, row_arch, account,
                                           product, link[proposals])
    keep_opp = opportunities.pop("keep").to_numpy()

    # Rows outside the history, and levers a team does not log, are what its CRM would show.
    keep = secs >= BURN_IN_WEEKS * 7 * day_s
    logged = kind.copy()
    hidden = (row_arch == ARCH_INDEX[Archetype.NO_LEVER_REPORTING]) & np.isin(kind, LEVER_TYPES)
    logged[hidden] = OTHER
    opp_ids = _ids("006Dm", int(keep_opp.sum()))
    new_index = np.cumsum(keep_opp) - 1
    opp_link = np.where(link >= 0, new_index[np.maximum(link, 0)], -1)
    opp_link[(link >= 0) & ~keep_opp[np.maximum(link, 0)]] = -1
    row_amount = np.where((kind == PROPOSAL) & (opp_link >= 0), amount[np.maximum(link, 0)],
                          np.nan)
    kept = np.flatnonzero(keep)
    start = np.datetime64(cal.sim_start, "s")
    activities = pd.DataFrame({
        "id": _arrow_series(_ids("00TDm", kept.size)),
        "person": org.rep_keys[rep[kept]],
        "type": _take(ACTIVITY_TYPES, logged[kept]),
        "behaviour": _take(ACTIVITY_TYPES, kind[kept]),
        "occurred_at": start + secs[kept].astype("timedelta64[s]"),
        "product": _take(PRODUCTS, product[kept]),
        "account": _take(accounts, account[kept]),
        "opportunity": _take(opp_ids, opp_link[kept]),
        "amount": row_amount[kept],
        "currency": _take((CURRENCY,), np.where(np.isnan(row_amount[kept]), -1, 0)),
    })
    opportunities = opportunities[keep_opp].reset_index(drop=True)
    opportunities.insert(0, "id", _arrow_series(opp_ids))
    opportunities["account"] = _take(accounts, opportunities.pop("account_index").to_numpy())
    return activities, opportunities


def _opportunities(
    rng: np.random.Generator,
    org: Organisation,
    cal: Timeline,
    opp_row: np.ndarray,
    rep: np.ndarray,
    secs: np.ndarray,
    row_arch: np.ndarray,
    account: np.ndarray,
    product: np.ndarray,
    proposal_link: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The opportunities opened at `opp_row`: amount, outcome and dates follow the archetype."""
    n = opp_row.size
    day_s = 86_400
    created = secs[opp_row]
    arch = row_arch[opp_row]
    prod = np.where(product[opp_row] >= 0, product[opp_row], 0)
    post = created >= (BURN_IN_WEEKS + PRE_WEEKS) * 7 * day_s
    poor = arch == ARCH_INDEX[Archetype.POOR_TERRITORY]
    # ROI-led selling (where it is practised) wins more often and bigger, except in the poor
    # territory: its small accounts have no budget for an ROI case, so after the rollout its
    # deals shrink and it wins still less often (the strategy does not fit the opportunity).
    roi = post & (arch == ARCH_INDEX[Archetype.EXEMPLARY])
    steady_roi = post & (arch == ARCH_INDEX[Archetype.STEADY])
    amount = np.exp(rng.normal(np.log(24_000), 0.4, n)) * PRODUCT_AMOUNT[prod]
    amount *= (np.where(poor, np.where(post, POOR_AMOUNT_AFTER, POOR_AMOUNT), 1.0)
               * np.where(roi, 1.15, 1.0))
    amount = np.round(amount, -1)
    with_proposal = np.bincount(proposal_link[proposal_link >= 0], minlength=n)[:n] > 0
    win_skill = np.exp(rng.normal(0, 0.2, org.team_of.shape[0]))
    p_win = (
        0.24 * np.where(with_proposal, 1.4, 0.7)
        * np.where(poor, np.where(post, POOR_WIN_AFTER, POOR_WIN), 1.0)
        * np.where(roi, 1.25, np.where(steady_roi, STEADY_WIN_LIFT, 1.0))
        * win_skill[rep[opp_row]]
    )
    p_win = np.clip(p_win, 0.02, 0.85)
    cycle = 21 + rng.gamma(2.0, np.where(poor, 8.0, 6.0))
    close_day = (created + cycle * day_s) // day_s
    weekday = close_day % 7  # the simulation starts on a Monday
    close_day = close_day - np.where(weekday == 5, 1, np.where(weekday == 6, 2, 0))
    close = close_day * day_s + rng.integers(9 * 3600, 18 * 3600, n)
    as_of = (cal.as_of - cal.sim_start).days * day_s
    closed = close < as_of
    won = closed & (rng.random(n) < p_win)
    age_days = (as_of - created) / day_s
    open_stage = np.where(age_days < 7, 0, np.where(age_days < 14, 1,
                          np.where((age_days < 24) | with_proposal, 2, 3)))
    stage = np.where(closed, np.where(won, 4, 5), np.where(with_proposal,
                                                           np.maximum(open_stage, 2), open_stage))
    start = np.datetime64(cal.sim_start, "s")
    closed_at = (start + close.astype("timedelta64[s]")).astype("datetime64[s]")
    closed_at[~closed] = np.datetime64("NaT")
    won_flag = pd.array(np.where(closed, won, False), dtype="boolean")
    won_flag[~closed] = pd.NA
    frame = pd.DataFrame({
        "person": org.rep_keys[rep[opp_row]],
        "account_index": account[opp_row],
        "product": _take(PRODUCTS, prod),
        "stage": _take(STAGES, stage),
        "amount": amount,
        "currency": _take((CURRENCY,), np.zeros(n, dtype=np.int8)),
        "created_at": start + created.astype("timedelta64[s]"),
        "closed_at": closed_at,
        "won": won_flag,
        # Deals closed before the history starts belong to no week M3 shows.
        "keep": ~closed | (close >= BURN_IN_WEEKS * 7 * day_s),
    })
    return frame, amount


def _open_opportunity(
    rng: np.random.Generator,
    opp_rep: np.ndarray,
    opp_secs: np.ndarray,
    rep: np.ndarray,
    secs: np.ndarray,
    window: int,
    gap: int,
) -> np.ndarray:
    """For each activity, a random opportunity of its rep opened in [t - window, t - gap), or -1.

    The opportunities must be sorted by time; every sales cycle is at least 21 days, so one
    opened in the window is still open at t.
    """
    stride = np.int64(1) << 32
    order = np.lexsort((opp_secs, opp_rep))
    keys = opp_rep[order].astype(np.int64) * stride + opp_secs[order]
    base = rep.astype(np.int64) * stride
    lo = np.searchsorted(keys, base + np.maximum(secs - window, 0), side="left")
    hi = np.searchsorted(keys, base + np.maximum(secs - gap, 0), side="left")
    found = hi > lo
    pick = lo + (rng.random(rep.size) * (hi - lo)).astype(np.int64)
    return np.where(found, order[np.minimum(pick, order.size - 1)], -1)


def _product_draw(rng: np.random.Generator, poor: np.ndarray) -> np.ndarray:
    u = rng.random(poor.size)
    usual = np.searchsorted(np.cumsum(PRODUCT_MIX), u, side="right")
    skewed = np.searchsorted(np.cumsum(POOR_PRODUCT_MIX), u, side="right")
    return np.minimum(np.where(poor, skewed, usual), len(PRODUCTS) - 1).astype(np.int16)


def _account_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` distinct company names; a city is added only once the plain names run out."""
    n_p, n_c, n_s = len(ACCOUNT_PREFIXES), len(ACCOUNT_CORES), len(ACCOUNT_SUFFIXES)
    plain = n_p * n_c * n_s
    picks = rng.choice(plain if n <= plain else plain * (1 + len(CITIES)), size=n, replace=False)
    city, rest = np.divmod(picks, plain)
    prefix, rest = np.divmod(rest, n_c * n_s)
    core, suffix = np.divmod(rest, n_s)
    names = [
        f"{ACCOUNT_PREFIXES[p]} {ACCOUNT_CORES[c]} {ACCOUNT_SUFFIXES[s]}"
        + (f" ({CITIES[k - 1]})" if k else "")
        for p, c, s, k in zip(prefix.tolist(), core.tolist(), suffix.tolist(), city.tolist(),
                              strict=True)
    ]
    return np.array(names, dtype=object)


def _ids(prefix: str, n: int) -> pa.Array:
    """`n` CRM-style ids: `prefix` then a 10-digit counter (15 characters, like Salesforce)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.arange(n, dtype=np.int64)), pa.string()),
                          width=10, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _take(values: Sequence[str] | np.ndarray | pa.Array, codes: np.ndarray) -> pd.Series:
    """A string column: `values[code]` per row, null where the code is negative."""
    table = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    indices = pa.array(codes.astype(np.int64), mask=codes < 0)
    return _arrow_series(pc.take(table, indices))


def _arrow_series(array: pa.Array) -> pd.Series:
    # Arrow-backed strings: millions of ids cost no Python objects and reach the store as is.
    return pd.Series(pd.arrays.ArrowExtensionArray(array))
