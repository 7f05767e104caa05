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

  // The number of items waiting for me, next to its navigation entry (fetched after the
  // page is shown so no page waits for it).
  var waitingLink = document.querySelector('.nav a[href="/approvals"]');
  if (waitingLink && window.fetch) {
    fetch("/approvals/count", { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && body.count > 0) {
          var badge = document.createElement("span");
          badge.className = "nav-count" + (body.overdue > 0 ? " overdue" : "");
          badge.textContent = body.count > 999 ? "999+" : String(body.count);
          waitingLink.appendChild(badge);
        }
      })
      .catch(function () {});
  }

  // The people picker: inputs marked data-people suggest colleagues as one types a name,
  // its pinyin initials (陈静 → cj) or a username; the field keeps usernames, so the form
  // works the same without this script. data-people="multi" completes the last of several
  // comma-separated names.
  var pickers = document.querySelectorAll("input[data-people]");
  for (var pi = 0; pi < pickers.length; pi++) {
    (function (input, n) {
      var list = document.createElement("datalist");
      list.id = "people-" + n;
      input.setAttribute("list", list.id);
      input.setAttribute("autocomplete", "off");
      input.parentNode.appendChild(list);
      var multi = input.getAttribute("data-people") === "multi";
      var timer = null;
      var last = "";
      input.addEventListener("input", function () {
        var value = input.value;
        var cut = multi ? Math.max(value.lastIndexOf(","), value.lastIndexOf("，"), value.lastIndexOf(" ")) : -1;
        var prefix = cut >= 0 ? value.slice(0, cut + 1) : "";
        var q = value.slice(cut + 1).trim();
        if (q === last) { return; }
        last = q;
        clearTimeout(timer);
        if (!q) { list.innerHTML = ""; return; }
        timer = setTimeout(function () {
          fetch("/people?q=" + encodeURIComponent(q), { credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.json() : []; })
            .then(function (people) {
              list.innerHTML = "";
              people.forEach(function (p) {
                var option = document.createElement("option");
                option.value = prefix + (prefix && !/\s$/.test(prefix) ? " " : "") + p.username;
                option.label = p.label;
                option.textContent = p.label;
                list.appendChild(option);
              });
            })
            .catch(function () {});
        }, 150);
      });
    })(pickers[pi], pi);
  }

  // Filter selects submit their form when changed.
  var auto = document.querySelectorAll(".toolbar select");
  for (var k = 0; k < auto.length; k++) {
    auto[k].addEventListener("change", function () {
      if (this.form) { this.form.requestSubmit ? this.form.requestSubmit() : this.form.submit(); }
    });
  }

  // A return needs a comment: say so before the round trip (the server checks it too).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-needs-comment]");
    if (!button || !button.form) { return; }
    var comment = button.form.querySelector("textarea[name=comment]");
    if (comment && !comment.value.trim()) {
      event.preventDefault();
      comment.setCustomValidity(button.getAttribute("data-needs-comment"));
      comment.reportValidity();
      comment.addEventListener("input", function () { comment.setCustomValidity(""); }, { once: true });
    }
  });

  // Live preview of a rating: asks the server to compute it with the assessment's method
  // and tables while T and V are typed.
  var forms = document.querySelectorAll("form[data-preview]");
  for (var f = 0; f < forms.length; f++) {
    (function (form) {
      var out = form.querySelector("output.preview");
      var t = form.querySelector("input[name=threat_frequency]");
      var v = form.querySelector("input[name=vulnerability_severity]");
      if (!out || !t || !v) { return; }
      var update = function () {
        var tv = parseInt(t.value, 10), vv = parseInt(v.value, 10);
        var a = parseInt(form.getAttribute("data-asset-value"), 10);
        if (!(tv >= 1 && tv <= 5 && vv >= 1 && vv <= 5 && a >= 1 && a <= 5)) { out.textContent = ""; return; }
        var url = form.getAttribute("data-preview") + "?t=" + tv + "&v=" + vv + "&a=" + a;
        fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (p) {
            if (!p) { out.textContent = ""; return; }
            out.textContent = "→ " + p.likelihood + " · " + p.loss + " · ";
            var badge = document.createElement("span");
            badge.className = "level level-" + p.level;
            badge.textContent = p.value;
            out.appendChild(badge);
            out.appendChild(document.createTextNode(" " + p.label));
          })
          .catch(function () { out.textContent = ""; });
      };
      t.addEventListener("input", update);
      v.addEventListener("input", update);
      update();
    })(forms[f]);
  }
})();
