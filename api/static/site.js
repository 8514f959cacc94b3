/* Wijkarchief BoTu — progressive enhancement only: every page works without this script.
   A Markdown textarea with data-preview="ID" gets a live preview: the text is sent (same
   origin, with the login cookie) to /pages-api/voorbeeld, which answers sanitised HTML. */
(function () {
  "use strict";
  function livePreview(textarea) {
    var target = document.getElementById(textarea.getAttribute("data-preview"));
    if (!target || !window.fetch) return;
    var timer = null;
    var last = null;
    function update() {
      var text = textarea.value;
      if (text === last) return;
      last = text;
      var body = new URLSearchParams();
      body.set("body_markdown", text);
      fetch("/pages-api/voorbeeld", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString()
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      }).then(function (html) {
        if (textarea.value !== text) return;  // a newer request follows
        // The server sanitised this HTML (nh3): no scripts, no event handlers.
        target.innerHTML = html || "<p class=\"help\">(nog geen tekst)</p>";
        target.setAttribute("data-rendered", "1");
      }).catch(function () { /* the "Voorbeeld tonen" button still works */ });
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 300);
    });
    if (textarea.value) update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var areas = document.querySelectorAll("textarea[data-preview]");
    for (var i = 0; i < areas.length; i++) livePreview(areas[i]);
  });
})();
