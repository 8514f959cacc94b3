/* Wijkarchief BoTu — the curators' forms (progressive enhancement only). A date field with
   data-date-hint="ID" says, while the curator types, how the archive will read the date
   ("Wordt vastgelegd als 2020-23 (najaar 2020)") or what is wrong with it, in the element
   ID (aria-live). The answer comes from /pages-api/datum, the same rules the save uses. */
(function () {
  "use strict";
  function dateHint(input) {
    var target = document.getElementById(input.getAttribute("data-date-hint"));
    if (!target || !window.fetch) return;
    var timer = null;
    function show(answer) {
      target.textContent = "";
      if (answer.edtf) {
        var code = document.createElement("code");
        code.textContent = answer.edtf;
        target.appendChild(document.createTextNode("Wordt vastgelegd als "));
        target.appendChild(code);
        target.appendChild(document.createTextNode(" (" + answer.label + ")."));
      } else if (answer.error) {
        target.textContent = answer.error;
      }
    }
    function update() {
      var text = input.value;
      fetch("/pages-api/datum?tekst=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (answer) { if (input.value === text) show(answer); })
        .catch(function () { /* the save checks the date anyway */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 300);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var inputs = document.querySelectorAll("input[data-date-hint]");
    for (var i = 0; i < inputs.length; i++) dateHint(inputs[i]);
  });
})();
