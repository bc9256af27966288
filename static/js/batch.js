// The list's batch bar: the rows' check boxes belong to the form#batch (form="batch"); "全选本页" ticks them
// all, and the bar counts what is ticked.
(function () {
  "use strict";
  var form = document.getElementById("batch");
  if (!form) { return; }
  var all = document.getElementById("check-all");
  var count = document.getElementById("batch-count");

  function boxes() { return document.querySelectorAll('input[name="ids"][form="batch"]'); }

  function update() {
    var ticked = 0, total = 0;
    boxes().forEach(function (box) { total += 1; if (box.checked) { ticked += 1; } });
    count.textContent = ticked;
    if (all) {
      all.checked = total > 0 && ticked === total;
      all.indeterminate = ticked > 0 && ticked < total;
    }
  }

  if (all) {
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      update();
    });
  }
  boxes().forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
