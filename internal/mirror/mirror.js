// Backchannel static mirror: what the server does for the live site, done
// in the browser. On the search page it runs the search against the index
// the export wrote (search/), on a call page it marks the words of ?hl=,
// and on 404.html it sends a range's address (/calls/x/L3-L9), which a
// static server has no file for, to the call page with the range
// selected, and a pinned address of a call's current version to the
// call's own page. Every index file is a script (it loads from file:// too).
// Text from the archive is only ever set as textContent.
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) return;
  var root = new URL("../", script.src); // mirror.js is in static/
  var params = new URLSearchParams(window.location.search);

  // fold and words: as words() in internal/mirror/search.go.
  var APOS = /['`\u00B4\u2018\u2019\u201B\u02BC\u02B9\u2032\uFF07]/g;
  function fold(s) {
    return s.normalize("NFKD").replace(/\p{Mn}/gu, "").replace(APOS, "").toLowerCase();
  }
  function words(s) { return fold(s).match(/[\p{L}\p{N}]+/gu) || []; }

  // notFound redirects the live site's addresses a static server cannot
  // map to the mirror's file for them.
  function notFound() {
    var path = window.location.pathname;
    var m = /^(.*)\/calls\/([^\/]+)\/L(\d+)-L(\d+)\/?$/.exec(path);
    if (m) {
      window.location.replace(m[1] + "/calls/" + m[2] + "/index.html#L" + m[3] + "-L" + m[4]);
      return;
    }
    // A call's current version pinned: its pages are the call's own.
    m = /^(.*)\/calls\/([^\/@]+)@[0-9a-fA-F]{7,}(\/.*|\.txt|\.json|\.csv)?$/.exec(path);
    if (m) {
      window.location.replace(m[1] + "/calls/" + m[2] + (m[3] || "") + window.location.hash);
      return;
    }
    m = /^(.*)\/api\/v1\/(calls|speakers)(\/[^\/]+)?$/.exec(path);
    if (m) window.location.replace(m[1] + "/api/v1/" + m[2] + (m[3] || "") + ".json");
  }

  // markWords wraps each word of a line that folds to one of terms in <mark>.
  function markWords(terms) {
    if (!terms.length) return;
    var set = {};
    terms.forEach(function (t) { set[t] = true; });
    var ps = document.querySelectorAll("ol.lines .line-text p");
    for (var i = 0; i < ps.length; i++) markIn(ps[i], set);
  }
  function markIn(el, set) {
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      if (node.parentNode.closest("mark:not(.note-quote)")) return; // a note's quote is marked inside
      var frag = segments(node.nodeValue, set);
      if (frag) node.parentNode.replaceChild(frag, node);
    });
  }
  // segments returns text as a fragment with the words of set in <mark>,
  // or null when none is.
  function segments(text, set) {
    var re = /[\p{L}\p{N}\p{M}'`\u00B4\u2018\u2019\u201B\u02BC\u02B9\u2032\uFF07]+/gu;
    var frag = document.createDocumentFragment(), last = 0, found = false, m;
    while ((m = re.exec(text))) {
      var ws = words(m[0]);
      if (ws.length !== 1 || !set[ws[0]]) continue;
      found = true;
      if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      frag.appendChild(mark);
      last = m.index + m[0].length;
    }
    if (!found) return null;
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  // Loading the index: each file is a script that calls bcSearch.
  var waiting = {};
  var bc = window.bcSearch = {
    calls: function (meta) { resolve("calls", meta); },
    terms: function (shard, terms) { resolve("t/" + shard, terms); },
    docs: function (call, k, docs) { resolve("d/" + call + "-" + k, docs); }
  };
  function resolve(name, value) {
    var w = waiting[name];
    if (w) { w.value = value; w.done = true; }
  }
  function load(name) {
    if (waiting[name]) return waiting[name].promise;
    var w = waiting[name] = {};
    w.promise = new Promise(function (ok, fail) {
      var s = document.createElement("script");
      s.src = new URL("search/" + name + ".js", root).href;
      s.onload = function () { w.done ? ok(w.value) : fail(new Error("search/" + name + ".js holds no index")); };
      s.onerror = function () { fail(new Error("could not load search/" + name + ".js")); };
      document.head.appendChild(s);
    });
    return w.promise;
  }
  function shardOf(term) {
    var bytes = new TextEncoder().encode(term), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 16777619) >>> 0; }
    return h % 256;
  }
  function hex2(n) { return (n < 16 ? "0" : "") + n.toString(16); }
  function postings(term) {
    return load("t/" + hex2(shardOf(term))).then(function (shard) {
      var s = Object.prototype.hasOwnProperty.call(shard, term) ? shard[term] : "";
      if (!s) return [];
      var out = [], prev = 0, parts = s.split(",");
      for (var i = 0; i < parts.length; i++) { prev += parseInt(parts[i], 36); out.push(prev); }
      return out;
    });
  }
  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) i++; else j++;
    }
    return out;
  }
  function union(lists) {
    var all = [].concat.apply([], lists);
    all.sort(function (x, y) { return x - y; });
    return all.filter(function (d, i) { return i === 0 || all[i - 1] !== d; });
  }
  function minus(a, b) {
    var drop = new Set(b);
    return a.filter(function (d) { return !drop.has(d); });
  }

  // parse reads the query: words, "phrases", -words, speaker:, call:,
  // after:, before:. OR and prefix* are read as words.
  function parse(q) {
    var out = { words: [], phrases: [], not: [], speaker: [], call: [], after: "", before: "" };
    var re = /(-?)(?:"([^"\u201C\u201D]*)["\u201C\u201D]?|[\u201C]([^\u201D]*)\u201D?|(\S+))/g, m;
    q = q.replace(/\u201C/g, '"').replace(/\u201D/g, '"');
    while ((m = re.exec(q))) {
      var neg = m[1] === "-", phrase = m[2] !== undefined ? m[2] : m[3], tok = m[4];
      if (phrase !== undefined) {
        var ws = words(phrase);
        if (!ws.length) continue;
        if (neg) { out.not = out.not.concat(ws.length === 1 ? ws : []); continue; }
        if (ws.length > 1) out.phrases.push(ws);
        out.words = out.words.concat(ws);
        continue;
      }
      var f = /^(speaker|call|after|before):(.*)$/i.exec(tok);
      if (f && !neg) {
        var k = f[1].toLowerCase(), v = f[2];
        if (k === "after" || k === "before") out[k] = v; else if (v) out[k].push(v);
        continue;
      }
      if (tok === "OR") continue;
      var tw = words(tok.replace(/\*$/, ""));
      if (neg) out.not = out.not.concat(tw); else out.words = out.words.concat(tw);
    }
    return out;
  }

  function searchPage(form) {
    var q = params.get("q") || "";
    var sort = document.getElementById("sort");
    if (sort) sort.closest(".field").hidden = true;
    var main = document.querySelector("main");
    var note = document.createElement("p");
    note.className = "notice mirror-note";
    note.textContent = "This is a static mirror: the search runs in your browser, on an index made when the mirror was exported. " +
      "It finds lines with all of your words (accents, case and apostrophes aside, no other word forms), \u201Cphrases\u201D, -words, " +
      "speaker:, call:, after: and before:; the lines are in the archive\u2019s order.";
    form.parentNode.insertBefore(note, form.nextSibling);
    var section = document.createElement("section");
    section.className = "results";
    section.setAttribute("aria-live", "polite");
    note.parentNode.insertBefore(section, note.nextSibling);
    var p = parse(q);
    ["speaker", "call"].forEach(function (k) { if (params.get(k)) p[k].push(params.get(k)); });
    if (params.get("after")) p.after = params.get("after");
    if (params.get("before")) p.before = params.get("before");
    if (!p.words.length && !p.speaker.length) return;
    var h = document.querySelector("main h1");
    if (h) h.textContent = "Search results";
    status(section, "Searching\u2026");
    load("calls").then(function (meta) { return run(meta, p); }).then(function (res) {
      show(section, res, p);
    }, function (err) {
      status(section, "The search could not be run: " + err.message);
    });
  }

  function status(section, text) {
    section.textContent = "";
    var s = document.createElement("p");
    s.className = "notice";
    s.setAttribute("role", "status");
    s.textContent = text;
    section.appendChild(s);
  }

  // run finds the documents (lines) of a query, in the archive's order.
  function run(meta, p) {
    var first = [], d = 0;
    meta.calls.forEach(function (c) { first.push(d); d += c[3]; });
    meta.first = first;
    var lists = p.words.map(postings);
    var nots = Promise.all(p.not.map(postings));
    var speakers = speakerIDs(meta, p.speaker);
    var spk = speakers === null ? Promise.resolve(null) : Promise.all(speakers.map(function (id) { return postings("@" + id); })).then(union);
    return Promise.all([Promise.all(lists), nots, spk]).then(function (r) {
      var docs = null;
      r[0].forEach(function (l) { docs = docs === null ? l : intersect(docs, l); });
      if (r[2] !== null) docs = docs === null ? r[2] : intersect(docs, r[2]);
      docs = minus(docs || [], [].concat.apply([], r[1]));
      var calls = callFilter(meta, p);
      if (calls) docs = docs.filter(function (doc) { return calls[callOf(meta, doc)]; });
      if (!p.phrases.length) return { meta: meta, docs: docs, capped: false };
      return phrases(meta, docs, p.phrases);
    });
  }

  // speakerIDs resolves speaker: values to ids (an id, or a name or part
  // of one), or null when there is none to filter by.
  function speakerIDs(meta, values) {
    if (!values.length) return null;
    var ids = [];
    values.forEach(function (v) {
      var f = fold(v);
      meta.speakers.forEach(function (s) {
        if (s[0] === v || fold(s[1]) === f || fold(s[1]).split(/\s+/).indexOf(f) >= 0 || fold(s[0]) === f) ids.push(s[0]);
      });
    });
    return ids;
  }

  function callFilter(meta, p) {
    if (!p.call.length && !p.after && !p.before) return null;
    var ok = {};
    meta.calls.forEach(function (c, i) {
      if (p.call.length && p.call.indexOf(c[0]) < 0) return;
      if (p.after && !(c[2] >= p.after)) return;
      if (p.before && !(c[2] && c[2] <= p.before)) return;
      ok[i] = true;
    });
    return ok;
  }

  function callOf(meta, doc) {
    var lo = 0, hi = meta.first.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (meta.first[mid] <= doc) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function docOf(meta, doc) {
    var i = callOf(meta, doc), n = doc - meta.first[i] + 1;
    var k = Math.floor((n - 1) / meta.chunk);
    return load("d/" + i + "-" + k).then(function (docs) {
      var d = docs[(n - 1) % meta.chunk];
      return { call: i, n: n, speaker: d[0], kind: d[1], text: d[2] };
    });
  }

  // phrases keeps the lines whose words hold each phrase in order,
  // reading at most maxPhraseChecks lines.
  var maxPhraseChecks = 5000;
  function phrases(meta, docs, list) {
    var capped = docs.length > maxPhraseChecks;
    var check = docs.slice(0, maxPhraseChecks);
    return Promise.all(check.map(function (doc) { return docOf(meta, doc); })).then(function (ds) {
      var keep = [];
      ds.forEach(function (d, i) {
        var ws = " " + words(d.text).join(" ") + " ";
        if (list.every(function (ph) { return ws.indexOf(" " + ph.join(" ") + " ") >= 0; })) keep.push(check[i]);
      });
      return { meta: meta, docs: keep, capped: capped };
    });
  }

  var pageSize = 20;

  function show(section, res, p) {
    var meta = res.meta, docs = res.docs;
    var page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
    var from = (page - 1) * pageSize, slice = docs.slice(from, from + pageSize);
    section.textContent = "";
    var h2 = document.createElement("h2");
    h2.id = "results-heading";
    h2.textContent = docs.length ? docs.length + (docs.length === 1 ? " matching line" : " matching lines") : "No matching lines";
    section.appendChild(h2);
    if (res.capped) {
      var c = document.createElement("p");
      c.className = "notice";
      c.textContent = "The phrase was looked for in the first " + maxPhraseChecks + " lines with all of its words only.";
      section.appendChild(c);
    }
    if (!slice.length) return;
    var count = document.createElement("p");
    count.className = "result-count";
    count.textContent = "Showing " + (from + 1) + "\u2013" + (from + slice.length) + " of " + docs.length + ".";
    section.appendChild(count);
    var set = {};
    p.words.forEach(function (w) { set[w] = true; });
    var hl = p.words.join(" ");
    Promise.all(slice.map(function (doc) { return docOf(meta, doc); })).then(function (ds) {
      var ol = document.createElement("ol");
      ol.className = "hits";
      ol.start = from + 1;
      var names = {};
      meta.speakers.forEach(function (s) { names[s[0]] = s[1]; });
      ds.forEach(function (d) { ol.appendChild(hit(meta, d, names, set, hl)); });
      section.appendChild(ol);
      section.appendChild(pager(page, Math.ceil(docs.length / pageSize)));
    });
  }

  function link(href, text, cls) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    if (cls) a.className = cls;
    return a;
  }

  function callHref(slug, hl, n) {
    var u = new URL("calls/" + encodeURIComponent(slug) + "/index.html", root).href;
    if (hl) u += "?hl=" + encodeURIComponent(hl);
    return n ? u + "#L" + n : u;
  }

  function hit(meta, d, names, set, hl) {
    var c = meta.calls[d.call];
    var li = document.createElement("li");
    li.className = "hit";
    var m = document.createElement("p");
    m.className = "hit-meta";
    if (d.kind === "d") {
      var sd = document.createElement("span");
      sd.className = "speaker";
      sd.textContent = "Stage direction";
      m.appendChild(sd);
    } else if (d.speaker) {
      m.appendChild(link(new URL("speakers/" + encodeURIComponent(d.speaker) + "/index.html", root).href, names[d.speaker] || d.speaker, "speaker"));
    }
    m.appendChild(document.createTextNode(" in "));
    m.appendChild(link(callHref(c[0]), c[1]));
    if (c[2]) {
      m.appendChild(document.createTextNode(", "));
      var t = document.createElement("time");
      t.dateTime = c[2];
      t.textContent = c[2];
      m.appendChild(t);
    }
    m.appendChild(document.createTextNode(", "));
    m.appendChild(link(callHref(c[0], hl, d.n), "line " + d.n, "hit-line"));
    li.appendChild(m);
    d.text.split("\n\n").forEach(function (para) {
      var fp = document.createElement("p");
      fp.className = "fragment";
      fp.appendChild(segments(para, set) || document.createTextNode(para));
      li.appendChild(fp);
    });
    return li;
  }

  function pager(page, pages) {
    var nav = document.createElement("nav");
    nav.className = "pagination";
    nav.setAttribute("aria-label", "Result pages");
    if (pages <= 1) return nav;
    var ul = document.createElement("ul");
    function item(n, text, rel) {
      var li = document.createElement("li");
      var u = new URLSearchParams(params);
      u.set("page", n);
      var a = link("?" + u.toString(), text);
      if (rel) a.rel = rel;
      if (n === page && !rel) a.setAttribute("aria-current", "page");
      li.appendChild(a);
      ul.appendChild(li);
    }
    if (page > 1) item(page - 1, "Previous", "prev");
    for (var n = Math.max(1, page - 4); n <= Math.min(pages, page + 4); n++) item(n, String(n));
    if (page < pages) item(page + 1, "Next", "next");
    nav.appendChild(ul);
    return nav;
  }

  if (script.hasAttribute("data-mirror-404")) {
    notFound();
    return;
  }
  if (document.querySelector("ol.lines") && params.get("hl")) markWords(words(params.get("hl")));
  var form = document.querySelector("form.search-form");
  if (form && document.getElementById("q") && /\/search\/(index\.html)?$/.test(window.location.pathname)) searchPage(form);
})();
