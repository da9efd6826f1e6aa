// Supplier search of Platform Goed Inkopen, on top of htmx: a changed facet or sort order
// applies at once, empty fields stay out of the shared URL, and keyboard and screen
// reader users keep their place. Progressive enhancement: without JavaScript (or when
// htmx did not load) the form's buttons submit it and the server renders the page.
(function () {
  "use strict";
  var form = document.getElementById("supplier-search");
  if (!form || !window.htmx) { return; }
  var region = document.getElementById("search-results");
  document.documentElement.classList.add("gi-js");

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.hasAttribute || !input.hasAttribute("data-autosubmit")) { return; }
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      window.htmx.trigger(form, "submit");
    }
  });

  document.body.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    if (!data || event.detail.verb !== "get") { return; }
    var names = [];
    data.forEach(function (value, name) {
      if (value === "" && names.indexOf(name) < 0) { names.push(name); }
    });
    names.forEach(function (name) {
      var kept = data.getAll(name).filter(function (value) { return value !== ""; });
      data.delete(name);
      kept.forEach(function (value) { data.append(name, value); });
    });
  });

  document.body.addEventListener("htmx:beforeRequest", function () {
    region.setAttribute("aria-busy", "true");
  });
  document.body.addEventListener("htmx:afterRequest", function () {
    region.removeAttribute("aria-busy");
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target !== region) { return; }
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    // A followed link (another page, a removed filter) is gone now: continue at the
    // top of the results instead of at the top of the document.
    if (trigger && trigger.tagName === "A") {
      var heading = document.getElementById("results-heading");
      if (heading) {
        heading.focus({ preventScroll: true });
        heading.scrollIntoView({ block: "start" });
      }
    }
  });
})();
