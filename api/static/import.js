/* Wijkarchief BoTu — the bulk import page (/importeren), progressive enhancement only.
   "Controleren" sends the form (sheet and zip, same origin, with the login cookie) as a dry
   run and shows the server's report in place, so the chosen files stay chosen and
   "Importeren" then imports exactly them. The report is the server's own escaped HTML. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("import-form");
    var check = document.getElementById("controleren");
    var target = document.getElementById("rapport");
    if (!form || !check || !target || !window.fetch || !window.DOMParser) return;
    check.addEventListener("click", function (event) {
      event.preventDefault();
      var body = new FormData(form);
      body.set("action", "controleren");
      check.disabled = true;
      target.setAttribute("aria-busy", "true");
      // form.action would be the buttons named "action": read the attribute.
      fetch(form.getAttribute("action"), { method: "POST", credentials: "same-origin", body: body })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var report = page.getElementById("rapport");
          if (!report) throw new Error("geen rapport");
          target.innerHTML = report.innerHTML;
          var hints = target.querySelectorAll(".no-js-hint");
          for (var i = 0; i < hints.length; i++) hints[i].hidden = true;
          target.setAttribute("data-checked", "1");
          var heading = target.querySelector("h2");
          if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
        })
        .catch(function () { form.submit(); })  // fall back to the ordinary page
        .then(function () { check.disabled = false; target.removeAttribute("aria-busy"); });
    });
  });
})();
