// The results page script: decodes the visitor pass in the URL fragment and shows it.
// Plain JS, no framework. Every text comes from the inlined data, written by `klub site
// build` from the library's own wording. Text is only ever set with textContent.
"use strict";
(function () {
  // The data is read inside safeRender: broken data gets the "cannot read" message.
  var D = null, F = null;
  function load() {
    if (D) return;
    var d = JSON.parse(document.getElementById("klub-data").textContent);
    if (!d || !d.format || !d.texts) throw new Error("no page data");
    F = d.format;
    D = d;
  }
  var state = { variant: "fr" };
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  // ---- texts ----------------------------------------------------------------
  function pageLang() { return state.variant === "en" ? "en" : "fr"; }
  // A Text {fr, en, facile}: [string, lang it is in]. Missing variants fall back to French.
  function pick(t) {
    if (!t) return ["", "fr"];
    if (state.variant === "en") return t.en ? [t.en, "en"] : [t.fr, "fr"];
    if (state.variant === "facile") return [t.facile || t.fr, "fr"];
    return [t.fr, "fr"];
  }
  // A Name {fr, en}: easy French uses the French name.
  function pickName(n) {
    if (state.variant === "en" && n.en) return [n.en, "en"];
    return [n.fr, "fr"];
  }
  function T(key) { return pick(D.texts[key])[0]; }
  function setText(node, pair) {
    node.textContent = pair[0];
    if (pair[1] !== pageLang()) node.setAttribute("lang", pair[1]);
    else node.removeAttribute("lang");
  }
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) {
      if (typeof text === "string") n.textContent = text;
      else setText(n, text);
    }
    return n;
  }
  function $(id) { return document.getElementById(id); }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // ---- pass format v1 (see domain::pass) --------------------------------------
  function fragmentText(hash) {
    var s = String(hash || "").replace(/^#/, "");
    try { s = decodeURIComponent(s); } catch (e) { /* keep it as it is */ }
    s = s.trim();
    // A link pasted into a sentence can keep the sentence's last punctuation.
    return s.replace(/[\s.,;:!?)\]}"'»>]+$/, "");
  }

  function base64url(s) {
    var out = [], acc = 0, bits = 0;
    for (var i = 0; i < s.length; i++) {
      acc = ((acc << 6) | ALPHABET.indexOf(s.charAt(i))) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push((acc >> bits) & 0xff);
      }
    }
    // Leftover bits must be zero, as the stations require: one text per pass.
    if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) out.dirty = true;
    return out;
  }

  // {outcome: "valid" | "empty" | "foreign" | "version" | "cut" | "damaged", pass}
  function decode(text) {
    if (text === "") return { outcome: "empty" };
    if (!/^[A-Za-z0-9_-]+$/.test(text)) return { outcome: "foreign" };
    var b = base64url(text);
    // No base64 text has a length of 4n+1: one character too many or too few.
    var odd = text.length % 4 === 1;
    if (b.length === 0 || (b[0] & 0xf0) !== F.magic) return { outcome: "foreign" };
    if ((b[0] & 0x0f) !== F.version) return { outcome: "version" };
    if (b.length < F.min_len) return { outcome: "cut" };
    var nSt = b[21] >> 4, nEx = b[21] & 0x0f, nSk = b[22] >> 2, nTop = b[22] & 3;
    if (nSt > F.max_stations || nEx > F.max_explored || nSk > F.top || nTop > F.top) {
      return { outcome: "damaged" };
    }
    var want = F.fixed + nSt + 3 * nSk + nTop + nEx + F.tag_len;
    if (b.length < want) return { outcome: "cut" };
    if (b.length > want || odd || b.dirty) return { outcome: "damaged" };
    if (b[20] >= D.situations.length) return { outcome: "damaged" };
    var areas = [];
    for (var i = 0; i < 6; i++) {
      if (b[23 + 2 * i] > 100) return { outcome: "damaged" };
      areas.push({ score: b[23 + 2 * i], evidence: b[24 + 2 * i] });
    }
    var at = F.fixed;
    function take(n) { var s = b.slice(at, at + n); at += n; return s; }
    var stations = take(nSt);
    var skills = [];
    var raw = take(3 * nSk);
    for (var k = 0; k < nSk; k++) {
      if (raw[3 * k + 1] > 100) return { outcome: "damaged" };
      skills.push({ index: raw[3 * k], score: raw[3 * k + 1], evidence: raw[3 * k + 2] });
    }
    var top = take(nTop);
    var explored = take(nEx);
    function hex(n) { return ("0000000" + (n >>> 0).toString(16)).slice(-8); }
    return {
      outcome: "valid",
      pass: {
        keyId: b[1],
        catalogue: hex(((b[14] << 24) | (b[15] << 16) | (b[16] << 8) | b[17]) >>> 0),
        stop: (b[18] << 8) | b[19],
        situation: b[20] === 0 ? null : D.situations[b[20]],
        stations: stations,
        areas: areas,
        skills: skills,
        top: top,
        explored: explored
      }
    };
  }

  // ---- what the profile says (same rules as Profile::reading) -----------------
  function readingKey(areas) {
    var total = 0, answered = [];
    for (var i = 0; i < 6; i++) {
      total += areas[i].evidence;
      if (areas[i].evidence > 0) answered.push(i);
    }
    if (total < D.reading.min_evidence) return "few";
    var hi = 0, lo = 100;
    answered.forEach(function (a) {
      hi = Math.max(hi, areas[a].score);
      lo = Math.min(lo, areas[a].score);
    });
    if (answered.length === 0 || hi - lo < D.reading.flat_spread || hi === 0) return "flat";
    function group(s) { return answered.filter(function (a) { return areas[a].score === s; }); }
    var first = group(hi);
    if (first.length >= 2) return first.join("");
    var second = -1;
    answered.forEach(function (a) { if (areas[a].score < hi) second = Math.max(second, areas[a].score); });
    if (second < 0) return first.join("");
    var g2 = group(second);
    return g2.length <= 2 ? first.join("") + "|" + g2.join("") : first.join("");
  }

  // Profile::top_skills on the pass's skills: evidence and a score above zero, strongest
  // first, ties in skill-set order.
  function topSkills(pass, skills) {
    return pass.skills
      .filter(function (s) { return s.evidence > 0 && s.score > 0 && s.index < skills.length; })
      .sort(function (a, b) { return b.score - a.score || a.index - b.index; })
      .slice(0, F.top);
  }

  function putForward(pass, cat) {
    var top = topSkills(pass, cat.skills);
    var tpl = D.put_forward[top.length];
    if (!tpl) return null;
    var t = pick(tpl), s = t[0];
    top.forEach(function (sk, i) { s = s.split("{" + i + "}").join(pick(cat.skills[sk.index])[0]); });
    return [s, t[1]];
  }

  // ---- rendering --------------------------------------------------------------
  var CONTACTS = ["cio", "mission_locale", "france_travail", "cep"];
  function contactKinds(situation) {
    switch (situation) {
      case "college": case "lycee": return ["cio"];
      case "etudes": return ["cio", "mission_locale"];
      case "cherche_emploi": return ["france_travail", "mission_locale"];
      case "travaille": return ["cep"];
      default: return CONTACTS;
    }
  }
  function offerKinds(situation) {
    switch (situation) {
      case "college": case "lycee": return ["stage"];
      case "cherche_emploi": case "travaille": return ["pmsmp"];
      default: return ["stage", "pmsmp"];
    }
  }
  function adultFirst(situation) {
    return situation === "cherche_emploi" || situation === "travaille";
  }

  function routeBlock(titleKey, routes) {
    var box = el("div", "route-group");
    box.appendChild(el("h4", "", T(titleKey)));
    var ul = el("ul");
    routes.forEach(function (r) { ul.appendChild(el("li", "", pickName(r))); });
    box.appendChild(ul);
    return box;
  }

  function renderTrade(trade, situation) {
    var li = el("li", "trade");
    li.setAttribute("data-trade", trade.id);
    li.appendChild(el("h3", "trade-name", pickName(trade.name)));
    var rome = el("p", "rome");
    rome.appendChild(document.createTextNode(T("rome") + " "));
    var code = el("span", "rome-code", trade.rome);
    rome.appendChild(code);
    li.appendChild(rome);
    li.appendChild(el("p", "description", pick(trade.description)));
    var routes = el("div", "routes");
    var school = trade.school.length ? routeBlock("school_routes", trade.school) : null;
    var adult = trade.adult.length ? routeBlock("adult_routes", trade.adult) : null;
    var order = adultFirst(situation) ? [adult, school] : [school, adult];
    order.forEach(function (b) { if (b) routes.appendChild(b); });
    li.appendChild(routes);
    return li;
  }

  function renderNext(pass, stop, cat) {
    var list = $("contact-list");
    clear(list);
    contactKinds(pass.situation).forEach(function (kind) {
      var li = el("li", "contact");
      li.setAttribute("data-kind", kind);
      var local = stop ? stop.contacts.filter(function (c) { return c.kind === kind; }) : [];
      li.appendChild(el("strong", "contact-name", T(kind + "_name")));
      li.appendChild(el("span", "contact-for", T(kind + "_for")));
      if (local.length) {
        local.forEach(function (c) {
          var line = el("span", "contact-for");
          line.appendChild(el("span", "", pickName(c.name)));
          line.appendChild(document.createTextNode(T("colon")));
          if (c.href) {
            var a = el("a", "", c.reach);
            a.href = c.href;
            a.rel = "noopener noreferrer";
            line.appendChild(a);
          } else {
            line.appendChild(el("span", "", c.reach));
          }
          li.appendChild(line);
        });
      } else {
        li.appendChild(el("span", "contact-for", T("contact_nearest")));
      }
      list.appendChild(li);
    });

    $("immersion-title").textContent = T("immersion_title");
    var box = $("immersion");
    clear(box);
    var mine = {};
    if (cat) {
      pass.top.concat(pass.explored).forEach(function (i) { if (cat.trades[i]) mine[cat.trades[i].id] = true; });
    }
    offerKinds(pass.situation).forEach(function (kind) {
      box.appendChild(el("p", "offer-about", T(kind + "_about")));
      var offers = stop ? stop.offers.filter(function (o) { return o.kind === kind; }) : [];
      if (!offers.length) return;
      offers.sort(function (a, b) { return (mine[b.trade] ? 1 : 0) - (mine[a.trade] ? 1 : 0); });
      box.appendChild(el("p", "offers-near", T("offers_near").split("{town}").join(stop.town)));
      var ul = el("ul", "offer-list");
      offers.forEach(function (o) {
        var li = el("li", "offer");
        li.setAttribute("data-kind", kind);
        li.appendChild(el("span", "", pickName(o.text)));
        var via = stop.contacts.filter(function (c) { return c.kind === o.via; })[0];
        li.appendChild(document.createTextNode(" – " + T("offer_via") + " "));
        li.appendChild(via ? el("span", "", pickName(via.name)) : el("span", "", T(o.via + "_name")));
        if (o.trade && mine[o.trade]) li.appendChild(el("span", "tag", " (" + T("offer_related") + ")"));
        ul.appendChild(li);
      });
      box.appendChild(ul);
    });
  }

  function showOutcome(titleKey, textKey) {
    var box = $("outcome");
    box.hidden = false;
    $("outcome-title").textContent = T(titleKey);
    $("outcome-text").textContent = T(textKey);
    box.setAttribute("data-outcome", textKey);
  }

  function render() {
    document.documentElement.lang = pageLang();
    $("skip").textContent = T("skip");
    $("brand").textContent = T("brand");
    $("switch").setAttribute("aria-label", T("lang_nav"));
    Array.prototype.forEach.call(document.querySelectorAll("#switch button"), function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-variant") === state.variant));
    });
    var h = pick(D.heading);
    setText($("heading"), h);
    document.title = h[0] + " – " + T("brand");
    $("privacy-title").textContent = T("privacy_title");
    $("privacy-text").textContent = T("privacy");
    $("print").textContent = T("print");

    var r = decode(fragmentText(location.hash));
    var results = $("results");
    var stopLine = $("stop");
    stopLine.hidden = true;
    results.hidden = true;
    $("outcome").hidden = true;
    document.body.setAttribute("data-outcome", r.outcome);
    if (r.outcome !== "valid") {
      showOutcome(r.outcome === "empty" ? "err_empty_title" : "err_title", "err_" + r.outcome);
      return;
    }
    var pass = r.pass;
    var cat = D.catalogues[pass.catalogue] || null;
    if (cat) {
      var lists = pass.top.concat(pass.explored);
      for (var i = 0; i < lists.length; i++) {
        if (lists[i] >= cat.trades.length) {
          document.body.setAttribute("data-outcome", "damaged");
          showOutcome("err_title", "err_damaged");
          return;
        }
      }
    } else {
      document.body.setAttribute("data-outcome", "catalogue");
      showOutcome("err_title", "err_catalogue");
    }
    var stop = D.stops[String(pass.stop)] || null;
    if (stop) {
      stopLine.textContent = T("stop").split("{town}").join(stop.town);
      stopLine.hidden = false;
    }
    results.hidden = false;
    $("intro").textContent = T("intro");
    $("strengths-title").textContent = T("strengths_title");
    var key = readingKey(pass.areas);
    var sentence = D.strengths[key];
    $("strengths-text").setAttribute("data-reading", key);
    setText($("strengths-text"), pick(sentence));
    var pf = cat ? putForward(pass, cat) : null;
    var pfNode = $("put-forward");
    pfNode.hidden = !pf;
    if (pf) setText(pfNode, pf);

    var tradesBox = $("trades");
    var list = $("trade-list");
    clear(list);
    tradesBox.hidden = !(cat && pass.top.length);
    if (cat) {
      $("trades-title").textContent = T("trades_title");
      pass.top.forEach(function (i) { list.appendChild(renderTrade(cat.trades[i], pass.situation)); });
    }
    var ex = $("explored-list");
    clear(ex);
    $("explored").hidden = !(cat && pass.explored.length);
    if (cat) {
      $("explored-title").textContent = T("explored_title");
      pass.explored.forEach(function (i) {
        var li = el("li", "", pickName(cat.trades[i].name));
        li.setAttribute("data-trade", cat.trades[i].id);
        ex.appendChild(li);
      });
    }
    $("next-title").textContent = T("next_title");
    $("next-intro").textContent = T("next_intro");
    renderNext(pass, stop, cat);
  }

  // The same message without the data, from the words the page was built with.
  function showFallback() {
    var box = $("outcome");
    box.hidden = false;
    $("outcome-title").textContent = box.getAttribute("data-fail-title");
    $("outcome-text").textContent = box.getAttribute("data-fail-text");
    box.setAttribute("data-outcome", "err_unexpected");
  }

  function safeRender() {
    try {
      load();
      render();
    } catch (e) {
      // Never a blank page: say something, whatever went wrong.
      $("results").hidden = true;
      $("stop").hidden = true;
      document.body.setAttribute("data-outcome", "unexpected");
      try {
        if (!D) throw e;
        showOutcome("err_title", "err_unexpected");
      } catch (e2) {
        showFallback();
      }
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("#switch button"), function (b) {
    b.addEventListener("click", function () {
      state.variant = b.getAttribute("data-variant");
      safeRender();
    });
  });
  $("print").addEventListener("click", function () { window.print(); });
  window.addEventListener("hashchange", safeRender);
  // Exposed for tests and for anyone curious: the decoder, nothing else.
  window.klubDecode = function (text) { load(); return decode(fragmentText(text)); };
  safeRender();
})();
