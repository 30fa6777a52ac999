// The proposal form: show only the detail fields of the chosen kind of action.
// Without this script every section is shown under its own heading (the server reads
// only the chosen kind's fields).
(function () {
  "use strict";
  function update(select) {
    var kind = select.value;
    document.querySelectorAll("#action-details [data-action-kind]").forEach(function (el) {
      var kinds = el.getAttribute("data-action-kind").split(" ");
      el.hidden = kinds.indexOf(kind) < 0;
    });
    var hint = document.getElementById("action-details-hint");
    if (hint) { hint.hidden = true; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("p-action");
    if (!select || !document.getElementById("action-details")) { return; }
    select.addEventListener("change", function () { update(select); });
    update(select);
  });
})();
