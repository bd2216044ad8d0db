// Backchannel: progressive enhancement for transcript pages. Everything works
// without this file: line numbers are plain links (#L7) and CSS :target
// highlights the line. This adds ranges (shift-click: #L7-L9), scrolling to
// a range on load, and "Copy link" / "Copy quote" buttons on every line.
(function () {
  "use strict";

  var HASH = /^#L(\d+)(?:-L(\d+))?$/;
  var anchor = null; // line number of the last plain click, for shift-click

  function parseHash(hash) {
    var m = HASH.exec(hash || "");
    if (!m) return null;
    var a = parseInt(m[1], 10);
    var b = m[2] ? parseInt(m[2], 10) : a;
    if (b < a) { var t = a; a = b; b = t; }
    return { first: a, last: b };
  }

  function lineEl(n) { return document.getElementById("L" + n); }

  function applyHash(scroll) {
    var prev = document.querySelectorAll(".line.is-selected");
    for (var i = 0; i < prev.length; i++) prev[i].classList.remove("is-selected");
    var r = parseHash(window.location.hash);
    if (!r) return;
    for (var n = r.first; n <= r.last; n++) {
      var el = lineEl(n);
      if (el) el.classList.add("is-selected");
    }
    if (r.last > r.first) {
      var first = lineEl(r.first);
      if (first && scroll) first.scrollIntoView({ block: "start" });
    }
  }

  function lineText(li) {
    var ps = li.querySelectorAll(".line-text p");
    var parts = [];
    for (var i = 0; i < ps.length; i++) parts.push(ps[i].textContent.trim());
    return parts.join(" ");
  }

  function absolute(path) { return window.location.origin + path; }

  function rangeFor(n) {
    var r = parseHash(window.location.hash);
    if (r && r.last > r.first && n >= r.first && n <= r.last) return r;
    return { first: n, last: n };
  }

  function fragment(r) {
    return r.last > r.first ? "#L" + r.first + "-L" + r.last : "#L" + r.first;
  }

  function copyText(text, status) {
    function done(ok) {
      status.textContent = ok ? "Copied." : "Could not copy; select the text instead.";
      window.setTimeout(function () { status.textContent = ""; }, 3000);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      return;
    }
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.className = "visually-hidden";
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    done(ok);
  }

  function quoteFor(list, r) {
    var title = list.getAttribute("data-title") || "";
    var date = list.getAttribute("data-date") || "";
    var slug = list.getAttribute("data-slug") || "";
    var parts = [];
    var speakers = [];
    for (var n = r.first; n <= r.last; n++) {
      var li = lineEl(n);
      if (!li) continue;
      var sp = li.getAttribute("data-speaker");
      var text = lineText(li);
      if (sp) {
        parts.push((r.last > r.first ? sp + ": " : "") + "\u201C" + text + "\u201D");
        if (speakers.indexOf(sp) < 0) speakers.push(sp);
      } else {
        parts.push(text);
      }
    }
    var cite = [];
    if (r.last === r.first && speakers.length) cite.push(speakers[0]);
    if (title) cite.push(title);
    if (date) cite.push(date);
    var url = absolute("/calls/" + encodeURIComponent(slug) + fragment(r));
    return parts.join(" ") + " \u2014 " + cite.join(", ") + ". " + url;
  }

  function addActions(list) {
    var slug = list.getAttribute("data-slug");
    if (!slug) return;
    var items = list.querySelectorAll(":scope > li.line");
    for (var i = 0; i < items.length; i++) {
      (function (li) {
        var n = parseInt(li.getAttribute("data-n"), 10);
        if (!n) return;
        var meta = li.querySelector(".line-meta");
        if (!meta) return;
        var box = document.createElement("div");
        box.className = "line-actions";
        var status = document.createElement("span");
        status.className = "copy-status";
        status.setAttribute("role", "status");

        var link = document.createElement("button");
        link.type = "button";
        link.textContent = "Copy link";
        link.setAttribute("aria-label", "Copy link to line " + n);
        link.addEventListener("click", function () {
          copyText(absolute("/calls/" + encodeURIComponent(slug) + fragment(rangeFor(n))), status);
        });

        var quote = document.createElement("button");
        quote.type = "button";
        quote.textContent = "Copy quote";
        quote.setAttribute("aria-label", "Copy quote of line " + n);
        quote.addEventListener("click", function () {
          copyText(quoteFor(list, rangeFor(n)), status);
        });

        box.appendChild(link);
        box.appendChild(quote);
        box.appendChild(status);
        meta.appendChild(box);
      })(items[i]);
    }
  }

  function onLineNumberClick(ev) {
    var a = ev.target.closest ? ev.target.closest("a.ln") : null;
    if (!a) return;
    var href = a.getAttribute("href") || "";
    var r = parseHash(href);
    if (!r || href.charAt(0) !== "#") return; // a link to another page
    if (ev.shiftKey && anchor !== null && anchor !== r.first) {
      ev.preventDefault();
      var lo = Math.min(anchor, r.first), hi = Math.max(anchor, r.first);
      window.location.hash = "#L" + lo + "-L" + hi;
      return;
    }
    if (ev.shiftKey && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      // Shift-click with no line selected yet (or on the selected one):
      // select that line, as GitHub does, instead of opening a window.
      ev.preventDefault();
      anchor = r.first;
      window.location.hash = "#L" + r.first;
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    anchor = r.first; // the browser follows the link and fires hashchange
  }

  function init() {
    var lists = document.querySelectorAll("ol.lines[data-slug]");
    if (!lists.length) return;
    for (var i = 0; i < lists.length; i++) addActions(lists[i]);
    var r = parseHash(window.location.hash);
    if (r) anchor = r.first;
    document.addEventListener("click", onLineNumberClick);
    window.addEventListener("hashchange", function () { applyHash(false); });
    applyHash(true);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
