// The event form's repeat picker: show only the parts that apply to the chosen repeat.
// Without this script every part is shown, each under its own heading.
(function () {
  "use strict";
  function update(select) {
    var freq = select.value;
    document.querySelectorAll(".repeat-detail").forEach(function (el) {
      el.hidden = freq === "none";
    });
    document.querySelectorAll(".repeat-weekly").forEach(function (el) {
      el.hidden = freq !== "weekly";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("ev-repeat");
    if (!select) { return; }
    select.addEventListener("change", function () { update(select); });
    update(select);
  });
})();
