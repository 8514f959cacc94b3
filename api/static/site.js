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

/* The link picker (api/templates/_link_picker.html): the text box becomes a WAI-ARIA 1.2
   combobox with a listbox popup (list autocomplete). Typing asks /pages-api/suggesties
   (same origin, with the login cookie) for items whose title holds the words; ArrowDown and
   ArrowUp move through them, Enter or a click chooses one (its SOORT/ID goes into the hidden
   `target`), Escape closes the list, a second Escape clears the box. Without this script the
   form posts the words and the answer lists matching items with a button each. */
(function () {
  "use strict";
  var KINDS = { episodes: "episode", stories: "verhaal", media: "media-item" };
  function picker(box, n) {
    var input = box.querySelector("input[type=text]");
    var target = box.querySelector("input[name=target]");
    var form = box.closest("form");
    if (!input || !target || !window.fetch) return;
    var exclude = (box.getAttribute("data-exclude") || "").split(" ");
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var listId = "koppel-opties-" + n;
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Voorstellen");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.insertAdjacentElement("afterend", list);
    box.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function open(show) {
      list.hidden = !show;
      input.setAttribute("aria-expanded", show ? "true" : "false");
      if (!show) { active = -1; input.removeAttribute("aria-activedescendant"); }
    }
    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(index) {
      var item = items[index];
      if (!item) return;
      input.value = item.title;
      target.value = item.ref;
      open(false);
      say("Gekozen: " + item.title + ". Druk op Koppelen om de koppeling vast te leggen.", false);
    }
    function show(found) {
      items = found.filter(function (item) { return exclude.indexOf(item.ref) < 0; });
      list.textContent = "";
      items.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.title;
        var meta = document.createElement("span");
        meta.className = "small";
        meta.textContent = " · " + (KINDS[item.kind] || item.kind) + (item.date_label ? ", " + item.date_label : "");
        option.appendChild(meta);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(i); input.focus(); });
        list.appendChild(option);
      });
      open(items.length > 0);
      if (items.length) {
        say(items.length + (items.length === 1 ? " voorstel" : " voorstellen") + "; kies met de pijltjestoetsen en Enter.", false);
        return;
      }
      // Nothing to offer: said on screen too, and why when the matches are linked already.
      var linked = found.filter(function (item) { return item.ref !== exclude[0] && exclude.indexOf(item.ref) >= 0; });
      if (linked.length) {
        say("Al gekoppeld: " + linked.map(function (item) { return item.title; }).join(", ") + ".", true);
      } else if (found.length) {
        say("Geen ander item gevonden: alleen dit item zelf past.", true);
      } else {
        say("Geen items gevonden.", true);
      }
    }
    function say(text, visible) {
      status.textContent = text;
      status.className = visible ? "help picker-status" : "visually-hidden";
    }
    function ask() {
      var words = input.value.trim();
      if (!words) { items = []; open(false); say("", false); return; }
      var mine = ++asked;
      fetch(box.getAttribute("data-suggest") + "?q=" + encodeURIComponent(words), { credentials: "same-origin" })
        .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
        .then(function (found) { if (mine === asked) show(found.items || []); })
        .catch(function () { /* the form still posts the words */ });
    }
    input.addEventListener("input", function () {
      target.value = "";
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { if (items.length) open(true); else ask(); return; }
        highlight(active + 1 < items.length ? active + 1 : 0);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (!list.hidden) highlight(active > 0 ? active - 1 : items.length - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) { event.preventDefault(); choose(active); }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); open(false); }
        else if (input.value) { event.preventDefault(); input.value = ""; target.value = ""; }
      }
    });
    input.addEventListener("blur", function () { setTimeout(function () { open(false); }, 150); });
    if (form) form.addEventListener("submit", function () { open(false); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll(".link-picker[data-suggest]");
    for (var i = 0; i < boxes.length; i++) picker(boxes[i], i);
  });
})();
