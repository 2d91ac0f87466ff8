"""Plotly figures for pages, returned as JSON for the browser's Plotly (served from the package)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from m3.vocabulary import ACTIVITY_TYPES


def weekly_activity_figure(
    counts: pd.DataFrame, title: str, since: dt.date, until: dt.date
) -> str:
    """Stacked bars of activities per ISO week by type, every week shown (zeros included)."""
    weeks = pd.date_range(since, until - dt.timedelta(days=1), freq="W-MON").date
    fig = go.Figure()
    present = set(counts["type"]) if not counts.empty else set()
    types = [t for t in ACTIVITY_TYPES if t in present] + sorted(present - set(ACTIVITY_TYPES))
    for activity_type in types:
        rows = counts[counts["type"] == activity_type]
        by_week = dict(zip(pd.to_datetime(rows["week"]).dt.date, rows["activities"], strict=True))
        fig.add_bar(x=[w.isoformat() for w in weeks], y=[int(by_week.get(w, 0)) for w in weeks],
                    name=str(activity_type))
    fig.update_layout(
        title=title,
        barmode="stack",
        height=340,
        margin={"l": 50, "r": 10, "t": 40, "b": 90},
        xaxis={"title": "ISO week (Monday)", "type": "category", "tickangle": -30},
        yaxis_title="activities",
        legend={"orientation": "h", "traceorder": "normal", "y": -0.35},
    )
    if not types:
        fig.add_annotation(text="No activity recorded in these weeks", showarrow=False,
                           x=0.5, y=0.5, xref="paper", yref="paper")
    return str(fig.to_json())


def output_pace_figure(weekly: pd.DataFrame, metric: str, unit: str) -> str:
    """Weekly output (bars) against the forecast (line), as Plotly JSON."""
    fig = go.Figure()
    weeks = [w.isoformat() for w in weekly["week"]]
    fig.add_bar(x=weeks, y=weekly["actual"].fillna(0).tolist(), name=f"{metric} (actual)",
                marker_color="#2457c5")
    fig.add_scatter(x=weeks, y=weekly["forecast"].tolist(), name="forecast", mode="lines",
                    line={"color": "#b26b00", "width": 3, "dash": "dash"})
    fig.update_layout(
        title=f"{metric} per week vs forecast", height=320,
        margin={"l": 60, "r": 10, "t": 40, "b": 80},
        xaxis={"title": "ISO week (Monday)", "type": "category", "tickangle": -30},
        yaxis_title=unit or metric, legend={"orientation": "h", "y": -0.4},
    )
    return str(fig.to_json())
