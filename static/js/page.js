// What the pages once did in inline handlers, which the Content-Security-Policy (scripts only from our own files)
// no longer runs: print buttons, selects that submit their form, and the action dialog a failed form reopens.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) { select.form.submit(); }
  });
  // A form that failed comes back with its dialog open, its errors shown: the page names it in data-open-modal.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-open-modal]").forEach(function (marker) {
      var el = document.getElementById(marker.getAttribute("data-open-modal"));
      if (el && window.bootstrap) { bootstrap.Modal.getOrCreateInstance(el).show(); }
    });
  });
})();
