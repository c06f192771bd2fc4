"""The page for an unknown address."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from dashboard.components import ui
from dashboard.context import t

dash.register_page(__name__, path="/404", title="Assortment Health")


def layout(**_query: Any) -> html.Div:
    """'Page not found' with a way back."""
    return ui.page(
        t("common.page_not_found"), html.P(dcc.Link(t("common.back_overview"), href="/"))
    )
