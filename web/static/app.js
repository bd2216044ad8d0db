// Backchannel: progressive enhancement for transcript pages. Everything works
// without this file: line numbers are plain links (#L7), CSS :target
// highlights the line, and each line's menu (a <details>) opens without
// script. This adds ranges (shift-click: #L7-L9), scrolling to a range on
// load, "Copy link" and "Copy quote" in every line's menu, and menus that
// close on Escape, on a click elsewhere and when another opens.
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

  // base is the site's public address: the --base-url the server was given
  // (data-base), else the address this page was loaded from.
  function base(list) { return list.getAttribute("data-base") || window.location.origin; }

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

  // gapBefore reports whether the page shows an omission just before li.
  function gapBefore(li) {
    var p = li.previousElementSibling;
    return !!(p && p.classList.contains("gap"));
  }

  // quoteFor writes the quote of lines r: Speaker: "words", with [...]
  // where an omission lies between two of them (" / " between lines whose
  // order is not known), then the call, its date, the line numbers, the
  // excerpt note and the link.
  function quoteFor(list, r) {
    var title = list.getAttribute("data-title") || "";
    var date = list.getAttribute("data-date") || "";
    var note = list.getAttribute("data-note") || "";
    var slug = list.getAttribute("data-slug") || "";
    var unordered = list.classList.contains("unordered");
    var parts = [];
    for (var n = r.first; n <= r.last; n++) {
      var li = lineEl(n);
      if (!li) continue;
      if (parts.length) parts.push(unordered ? "/" : gapBefore(li) ? "[\u2026]" : "");
      var sp = li.getAttribute("data-speaker");
      var text = lineText(li);
      parts.push(sp ? sp + ": \u201C" + text + "\u201D" : text);
    }
    var which = r.last > r.first ? "lines " + r.first + "\u2013" + r.last : "line " + r.first;
    var cite = [title, date, which].filter(Boolean).join(", ");
    if (note) cite += " " + note;
    var url = base(list) + "/calls/" + encodeURIComponent(slug) + fragment(r);
    return parts.filter(Boolean).join(" ") + " \u2014 " + cite + ". " + url;
  }

  function button(label, aria, onClick) {
    var item = document.createElement("li");
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.setAttribute("aria-label", aria);
    b.addEventListener("click", onClick);
    item.appendChild(b);
    return item;
  }

  function addActions(list) {
    var slug = list.getAttribute("data-slug");
    if (!slug) return;
    var items = list.querySelectorAll(":scope > li.line");
    for (var i = 0; i < items.length; i++) {
      (function (li) {
        var n = parseInt(li.getAttribute("data-n"), 10);
        var menu = li.querySelector(".line-menu");
        var ul = menu && menu.querySelector(".menu");
        var who = li.querySelector(".line-who");
        if (!n || !ul || !who) return;
        var status = document.createElement("span");
        status.className = "copy-status";
        status.setAttribute("role", "status");
        who.appendChild(status);
        function after(text) {
          copyText(text, status);
          menu.open = false;
          menu.querySelector("summary").focus();
        }
        ul.appendChild(button("Copy link", "Copy link to line " + n, function () {
          after(base(list) + "/calls/" + encodeURIComponent(slug) + fragment(rangeFor(n)));
        }));
        ul.appendChild(button("Copy quote", "Copy quote of line " + n, function () {
          after(quoteFor(list, rangeFor(n)));
        }));
        var version = list.getAttribute("data-version");
        if (version) {
          // The line at this version of the call: its words for good,
          // whatever the file becomes ("Copy link" follows the call).
          ul.appendChild(button("Copy permalink", "Copy permalink to line " + n + " as it is now", function () {
            var r = rangeFor(n);
            var lines = "/L" + r.first + (r.last > r.first ? "-L" + r.last : "");
            after(base(list) + "/calls/" + encodeURIComponent(slug) + "@" + version + lines);
          }));
        }
      })(items[i]);
    }
  }

  function closeMenus(except) {
    var open = document.querySelectorAll(".line-menu[open]");
    for (var i = 0; i < open.length; i++) {
      if (open[i] !== except) open[i].open = false;
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
    var lists = document.querySelectorAll(".lines[data-slug]");
    if (!lists.length) return;
    for (var i = 0; i < lists.length; i++) addActions(lists[i]);
    var r = parseHash(window.location.hash);
    if (r) anchor = r.first;
    document.addEventListener("click", function (ev) {
      onLineNumberClick(ev);
      var inMenu = ev.target.closest ? ev.target.closest(".line-menu") : null;
      closeMenus(inMenu);
    });
    document.addEventListener("toggle", function (ev) {
      if (ev.target.classList && ev.target.classList.contains("line-menu") && ev.target.open) closeMenus(ev.target);
    }, true);
    document.addEventListener("keydown", function (ev) {
      if (ev.key !== "Escape") return;
      var menu = ev.target.closest ? ev.target.closest(".line-menu[open]") : null;
      if (!menu) return;
      menu.open = false;
      menu.querySelector("summary").focus();
    });
    window.addEventListener("hashchange", function () { applyHash(false); });
    applyHash(true);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
