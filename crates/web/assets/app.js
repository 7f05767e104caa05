// Castellan — small enhancements. Every page works without this script.
"use strict";

(function () {
  // Ask before destructive actions: forms or buttons carrying data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var text = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      event.preventDefault();
    }
  });

  // Show times in the reader's own time zone; the server writes UTC.
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  var times = document.querySelectorAll("time[datetime]");
  for (var i = 0; i < times.length; i++) {
    var d = new Date(times[i].getAttribute("datetime"));
    if (!isNaN(d.getTime())) {
      times[i].title = times[i].textContent;
      times[i].textContent = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
        " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
    }
  }

  // Select a freshly created secret with one click.
  var secrets = document.querySelectorAll("[data-select]");
  for (var j = 0; j < secrets.length; j++) {
    secrets[j].addEventListener("click", function () {
      var range = document.createRange();
      range.selectNodeContents(this);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    });
  }

  // Filter selects submit their form when changed.
  var auto = document.querySelectorAll(".toolbar select");
  for (var k = 0; k < auto.length; k++) {
    auto[k].addEventListener("change", function () {
      if (this.form) { this.form.requestSubmit ? this.form.requestSubmit() : this.form.submit(); }
    });
  }
})();
