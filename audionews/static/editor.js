/* audionews back office: focus on errors, sentence previews, quiet status updates.
   Everything works without this script; it only saves clicks. No inline script anywhere. */
(function () {
  "use strict";

  // After a form was sent: the first error, else what happened (a new token, the message,
  // the filtered list). Pages opened by a link have none of these and keep focus at the top.
  function focusFirst() {
    var target = document.getElementById("fehler") || document.getElementById("neues-token") ||
      document.getElementById("meldung") || document.querySelector("[data-focus]");
    if (target) { target.focus(); }
  }

  function play(audio, url) {
    audio.hidden = false;
    audio.src = url;
    var started = audio.play();
    if (started && started.catch) { started.catch(function () { /* shown by the error event */ }); }
  }

  function previews() {
    var sentenceAudio = document.getElementById("vorhoeren");
    var lexAudio = document.getElementById("lexikon-vorhoeren");
    var lexError = document.getElementById("lexikon-fehler");
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-preview], a[data-preview-link]");
      if (!link) { return; }
      var audio = link.hasAttribute("data-preview") ? sentenceAudio : lexAudio;
      if (!audio) { return; }
      event.preventDefault();
      play(audio, link.href);
    });
    if (lexAudio && lexError) {
      lexAudio.addEventListener("error", function () {
        lexError.textContent = "Vorhören nicht möglich: Bitte „Geschrieben“ und „Gesprochen“ ausfüllen.";
        lexError.hidden = false;
      });
      lexAudio.addEventListener("playing", function () { lexError.hidden = true; });
    }
    var form = document.querySelector("form[data-lexicon-form]");
    var button = form && form.querySelector("[data-lexicon-preview]");
    if (form && button && lexAudio) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var params = new URLSearchParams();
        params.set("written", form.elements.written.value);
        params.set("spoken", form.elements.spoken.value);
        if (form.elements.whole_word.checked) { params.set("whole_word", "1"); }
        if (form.elements.case_sensitive.checked) { params.set("case_sensitive", "1"); }
        play(lexAudio, form.getAttribute("data-preview-url") + "?" + params.toString());
      });
    }
  }

  function poll() {
    var holder = document.querySelector("[data-poll], [data-poll-one]");
    if (!holder) { return; }
    var url = holder.getAttribute("data-poll") || holder.getAttribute("data-poll-one");
    function update() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          var busy = false;
          if (data) {
            data.articles.forEach(function (item) {
              if (item.status === "queued" || item.status === "rendering") { busy = true; }
              document.querySelectorAll("[data-status-for]").forEach(function (cell) {
                if (cell.getAttribute("data-status-for") !== item.slug) { return; }
                // Plain text, no live region: screen readers are not interrupted.
                if (cell.textContent !== item.label) { cell.textContent = item.label; }
                cell.className = "ed-st-" + item.status;
              });
            });
          }
          window.setTimeout(update, busy ? 1500 : 10000);
        })
        .catch(function () { window.setTimeout(update, 10000); });
    }
    window.setTimeout(update, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusFirst();
    previews();
    poll();
  });
})();
