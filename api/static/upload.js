/* Wijkarchief BoTu — the drop zone of a media item's files page (progressive enhancement).
   Without this script the form posts the file as plain multipart/form-data and the page
   comes back. With it: a file dropped on the zone, or chosen with the ordinary file input
   and sent with the button (keyboard as usual), goes up with XMLHttpRequest to the form's
   own address (same origin, the login cookie), with a <progress> bar and a text that
   screen readers hear; the answer is the file (listed at once, with its thumbnail) or a
   problem whose Dutch `detail` is shown under the field (413 too large, 415 refused type).
   The progress element counts its progress events in data-events (tests read it). */
(function () {
  "use strict";
  function $(id) { return document.getElementById(id); }

  function setup(form) {
    var zone = $("dropzone"), input = $("file"), list = $("bestandenlijst");
    var box = $("voortgang-vak"), bar = $("voortgang"), text = $("voortgang-tekst");
    var status = $("upload-status"), fault = $("file-fout"), none = $("geen-bestanden");
    var busy = false;
    if (!window.XMLHttpRequest || !window.FormData || !zone || !input) return;
    $("sleep-hulp").hidden = false;
    zone.classList.add("enhanced");

    function progress(percent) {
      bar.value = percent;
      text.textContent = percent + " %";
    }
    function showError(message) {
      box.hidden = true;  // a full bar beside a refusal would say the opposite
      fault.querySelector(".message").textContent = message;
      fault.hidden = false;
      zone.classList.add("has-error");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "file-hulp file-fout");
      status.textContent = "Niet toegevoegd: " + message;
    }
    function clearError() {
      fault.hidden = true;
      zone.classList.remove("has-error");
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", "file-hulp");
    }
    function listFile(file) {
      var li = document.createElement("li");
      li.className = "file";
      if (file.thumbnail_url) {
        var img = document.createElement("img");
        img.src = file.thumbnail_url; img.alt = ""; img.width = 96; img.height = 96;
        li.appendChild(img);
      }
      var a = document.createElement("a");
      a.href = file.url;
      a.textContent = file.filename || file.id;
      li.appendChild(a);
      var small = document.createElement("span");
      small.className = "small";
      small.textContent = " " + (file.about || file.content_type);
      li.appendChild(small);
      list.appendChild(li);
      if (none) none.hidden = true;
    }
    function send(file) {
      if (busy || !file) return;
      busy = true;
      clearError();
      box.hidden = false;
      bar.setAttribute("data-events", "0");
      progress(0);
      status.textContent = "Bezig met uploaden van " + file.name + " …";
      var data = new FormData();
      data.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        bar.setAttribute("data-events", String(Number(bar.getAttribute("data-events")) + 1));
        if (event.lengthComputable) progress(Math.floor(100 * event.loaded / event.total));
      });
      xhr.addEventListener("load", function () {
        busy = false;
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        if (xhr.status === 201 && answer) {
          progress(100);
          listFile(answer);
          status.textContent = (answer.filename || file.name) + " is toegevoegd.";
          input.value = "";
        } else {
          showError((answer && answer.detail) || "Het bestand is niet toegevoegd (fout " + xhr.status + ").");
        }
      });
      xhr.addEventListener("error", function () {
        busy = false;
        showError("De verbinding viel weg; het bestand is niet toegevoegd. Probeer het opnieuw.");
      });
      xhr.send(data);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!input.files || !input.files.length) {
        showError("Kies eerst een bestand om toe te voegen.");
        input.focus();
        return;
      }
      send(input.files[0]);
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) send(files[0]);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload-form");
    if (form) setup(form);
  });
})();
