// The printable report works without this: it only adds a print button for convenience.
(function () {
  "use strict";
  var button = document.getElementById("monitor-print");
  if (!button || typeof window.print !== "function") {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
})();
