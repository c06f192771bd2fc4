/* Functions the grids name in their options (dash-ag-grid looks them up here). */
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

/* A grid with a narrow layout (a tablet, 820 px): below `narrowPx` of grid width the columns
   the grid's context lists as `wide` are hidden and those it lists as `narrow` (a column that
   gathers what the hidden ones said) shown, so the table fits its card instead of scrolling
   sideways. Runs when the grid is first drawn and whenever its size changes. */
dagfuncs.fitColumns = function (params) {
  var ctx = params.api.getGridOption('context') || {};
  var width = params.clientWidth;
  if (width === undefined) {
    var el = document.getElementById(ctx.gridId);
    width = el ? el.clientWidth : window.innerWidth;
  }
  var narrow = width < (ctx.narrowPx || 1000);
  if (ctx.wide) { params.api.setColumnsVisible(ctx.wide, !narrow); }
  if (ctx.narrow) { params.api.setColumnsVisible(ctx.narrow, narrow); }
  params.api.sizeColumnsToFit();
};

/* A tablet's gathering column: the named fields of a row, formatted, joined by " · "
   (the overview's code · type · region · distributor · rep). Empty fields are left out. */
dagfuncs.joinFields = function (data, names) {
  if (!data) { return ''; }
  return names.map(function (n) {
    var v = data[n];
    return typeof v === 'number' ? v.toLocaleString('en-US') : v;
  }).filter(function (x) { return x !== null && x !== undefined && x !== ''; }).join(' · ');
};

/* fitColumns for a grid whose own events do not reach it (the location page's style table,
   whose rows arrive from a callback after the grid was drawn): a clientside callback on the
   grid's rowData calls this; it also follows the window's size (a tablet turned on its side). */
dagfuncs.fitWhenReady = function (gridId) {
  if (!window.dash_ag_grid) { return; }
  window.dash_ag_grid.getApiAsync(gridId).then(function (api) {
    var fit = function () {
      if (api.isDestroyed && api.isDestroyed()) {
        window.removeEventListener('resize', fit);
        return;
      }
      dagfuncs.fitColumns({api: api});
    };
    fit();
    if (!api.__fitsOnResize) {
      api.__fitsOnResize = true;
      window.addEventListener('resize', fit);
    }
  });
};
