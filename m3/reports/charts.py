"""Plotly figures for pages, returned as JSON for the browser's Plotly (served from the package)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go


def weekly_activity_figure(counts: pd.DataFrame, title: str) -> str:
    """Stacked bars of activities per week by type, as Plotly JSON."""
    fig = go.Figure()
    if not counts.empty:
        for activity_type, rows in counts.groupby("type"):
            fig.add_bar(x=rows["week"].astype(str), y=rows["activities"], name=str(activity_type))
    fig.update_layout(
        title=title,
        barmode="stack",
        height=320,
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        xaxis_title="ISO week (Monday)",
        yaxis_title="activities",
        legend={"orientation": "h"},
    )
    return str(fig.to_json())
