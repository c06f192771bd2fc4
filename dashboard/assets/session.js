/* When a callback answers 401 (session ended) go to the sign-in page; when it answers 413
   (request too large) show the server's words in the toast instead of failing silently. */
(function () {
  var original = window.fetch;
  if (!original) { return; }
  window.fetch = function (input, init) {
    return original.apply(this, arguments).then(function (response) {
      var url = typeof input === 'string' ? input : (input && input.url) || '';
      if (url.indexOf('_dash-update-component') === -1) { return response; }
      if (response.status === 401) {
        window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname + window.location.search));
        return new Promise(function () {});
      }
      if (response.status === 413) {
        return response.clone().json().catch(function () { return {}; }).then(function (body) {
          var box = document.getElementById('toast');
          var text = document.getElementById('toast-text');
          if (box && text) { text.textContent = body.message || 'The request is too large.'; box.className = 'toast toast-show'; }
          return new Response(null, {status: 204});
        });
      }
      return response;
    });
  };
})();
