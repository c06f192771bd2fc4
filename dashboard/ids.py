"""Component ids, in one place: shell ids bare, page ids prefixed with the page name."""

from __future__ import annotations

# shell
NAV = "nav-location"
TOAST = "toast"
TOAST_TEXT = "toast-text"
TOAST_CLOSE = "toast-close"

# overview
OV_MONTH = "overview-month"
OV_REGION = "overview-region"
OV_GROUP = "overview-distributor"
OV_REP = "overview-rep"
OV_STATUS = "overview-status"
OV_KPIS = "overview-kpis"
OV_BY = "overview-by"
OV_STATUS_CHART = "overview-status-chart"
OV_GRID = "overview-grid"
OV_TREND = "overview-trend"
OV_DOWNLOAD_BTN = "overview-download-btn"
OV_DOWNLOAD = "overview-download"

# location
LOC_ID = "location-id"
LOC_MONTH = "location-month"
LOC_SUMMARY = "location-summary"
LOC_HISTORY = "location-history"
LOC_STYLES_GRID = "location-styles-grid"
LOC_STYLES_DOWNLOAD_BTN = "location-styles-download-btn"
LOC_STYLES_DOWNLOAD = "location-styles-download"
LOC_SIZE_STYLE = "location-size-style"
LOC_SIZE_RUN = "location-size-run"
LOC_SELL_THROUGH = "location-sell-through"
LOC_ACTIONS_GRID = "location-actions-grid"
LOC_ACTIONS_DOWNLOAD_BTN = "location-actions-download-btn"
LOC_ACTIONS_DOWNLOAD = "location-actions-download"
LOC_ACTIONS_NOTE = "location-actions-note"

# styles
ST_MONTH = "styles-month"
ST_BEST_GRID = "styles-bestsellers-grid"
ST_NEW_GRID = "styles-new-grid"
ST_PICK = "styles-pick"
ST_LACKING_TITLE = "styles-lacking-title"
ST_LACKING_GRID = "styles-lacking-grid"
ST_REGIONS = "styles-regions"
ST_REGIONS_TITLE = "styles-regions-title"

# upload
UP_KIND = "upload-kind"
UP_FILE = "upload-file"
UP_FILE_DATA = "upload-file-data"
UP_FILE_NOTE = "upload-file-note"
UP_RESULT = "upload-result"
UP_TOKEN = "upload-token"
UP_CONFIRM = "upload-confirm"
UP_DONE = "upload-done"
UP_ERRORS_GRID = "upload-errors-grid"
UP_ERRORS_BTN = "upload-errors-btn"
UP_ERRORS_DOWNLOAD = "upload-errors-download"
UP_TEMPLATE_BTN = "upload-template-btn"
UP_TEMPLATE_DOWNLOAD = "upload-template-download"
UP_HISTORY_GRID = "upload-history-grid"

# order plan
OP_MONTH = "plan-month"
OP_REGION = "plan-region"
OP_KPIS = "plan-kpis"
OP_CHART = "plan-chart"
OP_GRID = "plan-grid"
OP_DOWNLOAD_BTN = "plan-download-btn"
OP_DOWNLOAD = "plan-download"
