// Suggest knowledge-base articles while someone types their question.
// Progressive enhancement: without JavaScript the "search the knowledge base" button
// posts the form back and the same list is rendered by the server.
(function () {
  "use strict";
  var textarea = document.querySelector("[data-suggest-articles]");
  var target = document.getElementById("article-suggestions");
  if (!textarea || !target || !window.fetch) { return; }
  var timer = null;
  var lastQuery = "";
  function update() {
    var subject = document.getElementById("id_subject");
    var query = ((subject ? subject.value : "") + " " + textarea.value).trim();
    if (query.length < 4 || query === lastQuery) { return; }
    lastQuery = query;
    var url = target.getAttribute("data-url") + "?q=" + encodeURIComponent(query.slice(0, 2000));
    fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { target.innerHTML = html; } })
      .catch(function () { /* suggestions are a convenience; the form works without */ });
  }
  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 400);
  }
  textarea.addEventListener("input", schedule);
  var subject = document.getElementById("id_subject");
  if (subject) { subject.addEventListener("input", schedule); }
})();
