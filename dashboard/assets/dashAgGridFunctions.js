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
