/* The phone page, enhanced: send without reloading, keep the draft until the server confirms, list "my notes",
   and follow the session live: phase, hidden writing, dot voting, "I'm done", the timer, breakouts, the
   self-reflection. The server is
   the truth: what is shown comes from the board and the event stream, never from a guess. Without this file the
   form still works (a plain POST). No inline code anywhere (the CSP allows only this file) and no innerHTML:
   people's text goes in as textContent. */
(function () {
  "use strict";
  if (!window.fetch || !window.JSON || !document.querySelector) return;
  function $(id) { return document.getElementById(id); }
  var form = $("note-form"), anchor = form || $("closed-notice");
  if (!anchor) return;
  var token = anchor.getAttribute("data-token") || "";
  var root = anchor.getAttribute("data-root") || "../", api = root + "api/v1/j/" + encodeURIComponent(token);
  var KEY = "coprod:" + token + ":";

  // -- storage (may be missing or full: private browsing, locked-down phones) ---------------------------------
  function load(name) {
    try { return JSON.parse(window.localStorage.getItem(KEY + name) || "null"); } catch (e) { return null; }
  }
  function store(name, value) {
    try {
      if (value === null) window.localStorage.removeItem(KEY + name);
      else window.localStorage.setItem(KEY + name, JSON.stringify(value));
    } catch (e) { /* the page still holds it */ }
  }
  var ABC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  function newId() {  // 24 url-safe characters, 144 random bits
    var bytes = new Uint8Array(24), out = "", c = window.crypto;
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (var i = 0; i < 24; i++) bytes[i] = Math.floor(Math.random() * 256);
    for (var j = 0; j < 24; j++) out += ABC.charAt(bytes[j] & 63);
    return out;
  }
  // This phone's id: made once, kept for every session on this server. Not personal data, never shown.
  var me = (function () {
    var id = null;
    try { id = window.localStorage.getItem("coprod:participant"); } catch (e) { /* none */ }
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = newId();
      try { window.localStorage.setItem("coprod:participant", id); } catch (e) { /* this page only */ }
    }
    return id;
  })();

  var el = form ? form.elements : {};
  var text = el.text, author = el.author, group = el.group, ridField = el.request_id;
  function myGroup() { return group ? group.value : ((load("prefs") || {}).group || ""); }
  function query() {
    var g = myGroup();
    return "?participant=" + me + (g ? "&group=" + encodeURIComponent(g) : "");
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // One POST: resolves [status, parsed body or null, Retry-After seconds]; rejects with no answer (offline…).
  function call(path, body) {
    var abort = window.AbortController ? new AbortController() : null;
    var deadline = setTimeout(function () { if (abort) abort.abort(); }, 20000);
    return fetch(api + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body), credentials: "same-origin", cache: "no-store",
      signal: abort ? abort.signal : undefined
    }).then(function (res) {
      clearTimeout(deadline);
      return res.json().then(null, function () { return null; }).then(function (data) {
        return [res.status, data, parseInt(res.headers.get("Retry-After"), 10) || 0];
      });
    }, function (e) { clearTimeout(deadline); throw e; });
  }
  function errorText(data, fallback) { return (data && data.error && data.error.message) || fallback; }

  // -- what the server says this phone may see ------------------------------------------------------------------
  var cards = {}, order = [], st = {}, mine = {}, left = null, tallies = null, done = false, roles = {};
  var phaseSeen = parseInt($("phase").getAttribute("data-index"), 10);  // the phase the page was rendered in

  function applyState(d) {
    st = { phase: d.phase, private: d.private, voting: d.voting, timer: d.timer, breakout: d.breakout };
    if (!st.voting) { mine = {}; left = null; tallies = null; }
    else if (!st.voting.revealed) tallies = null;
  }
  function applyVoting(v) {
    if (!v) return;
    mine = v.mine || {};
    left = v.left;
    tallies = v.tallies || null;
  }
  function applyBoard(d) {
    cards = {};
    order = [];
    for (var i = 0; i < (d.cards || []).length; i++) upsert(d.cards[i]);
    applyState(d);
    applyVoting(d.voting);
    done = !!d.done;
    ref.mine = d.reflection ? d.reflection.mine : null;
    roles = {};
    for (var g = 0; g < (d.groups || []).length; g++) roles[d.groups[g].id] = d.groups[g].role;
    if (d.session) setOpen(d.session.open !== false);
    render();
  }
  function upsert(card) {
    if (!cards[card.id]) order.push(card.id);
    cards[card.id] = card;
    if (card.held) remember(card);  // only its writer ever gets a held note: it is mine
  }
  // A reveal brings every held note at once, a message each: the lists are drawn once a frame, not once a note.
  var drawn = true;
  var nextFrame = window.requestAnimationFrame || function (f) { setTimeout(f, 16); };
  function onCard(d) {
    var card = d.card || {};
    if (d.op === "remove") {
      delete cards[card.id];
      order = order.filter(function (id) { return id !== card.id; });
    } else upsert(card);
    if (drawn) { drawn = false; nextFrame(drawCards); }
  }
  function drawCards() {
    drawn = true;
    renderVote();
    renderGroup();
    showMine();
  }
  function render() {
    renderPhase();
    renderTimer();
    renderVote();
    renderDone();
    renderGroup();
    renderReflection();
    showMine();
  }

  // Keep a list's items by id and update them in place, so a button being tapped is never replaced under a finger.
  function sync(list, ids, make, update) {
    var items = list.items || (list.items = {}), keep = {};
    for (var i = 0; i < ids.length; i++) {
      var item = items[ids[i]] || (items[ids[i]] = make(ids[i]));
      keep[ids[i]] = true;
      update(item, cards[ids[i]]);
      if (list.children[i] !== item.li) list.insertBefore(item.li, list.children[i] || null);
    }
    for (var id in items) {
      if (!keep[id]) { list.removeChild(items[id].li); delete items[id]; }
    }
  }
  function node(tag, cls, parent, content) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (content) n.textContent = content;
    if (parent) parent.appendChild(n);
    return n;
  }

  // -- phase and hidden writing ---------------------------------------------------------------------------------
  function renderPhase() {
    var p = st.phase;
    if (!p) return;
    $("phase-name").textContent = p.name;
    $("phase-prompt").textContent = p.prompt || "";
    $("private-note").hidden = !st.private;
    if (phaseSeen !== p.index && p.kind && form) setKind(p.kind);  // a new phase: its kind is the new default
    phaseSeen = p.index;
  }

  // -- the timer: the server sends it when the facilitator changes it; the phone counts down ---------------------
  var timerEnd = 0, ticking = null, buzzed = null;
  function clock(s) {
    s = Math.max(0, Math.ceil(s));
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    return (h ? h + ":" + (m < 10 ? "0" : "") : (m < 10 ? "0" : "")) + m + ":" + (sec < 10 ? "0" : "") + sec;
  }
  function showTime(s, paused) {
    var t = st.timer, up = s <= 0;
    $("timer-time").textContent = up ? "00:00" : clock(s) + (paused ? " (paused)" : "");
    $("timer").className = "timer" + (up ? " up" : "");
    $("timer-up").textContent = up ? "Time's up" : "";
    if (up && t && buzzed !== t.ends_at + ":" + t.seconds) {
      buzzed = t.ends_at + ":" + t.seconds;
      try { if (navigator.vibrate) navigator.vibrate(200); } catch (e) { /* no vibration */ }
    }
  }
  function tick() {
    var s = (timerEnd - Date.now()) / 1000;
    showTime(s, false);
    if (s <= 0) { clearInterval(ticking); ticking = null; }
  }
  function renderTimer() {
    var t = st.timer;
    clearInterval(ticking);
    ticking = null;
    $("timer").hidden = !t;
    if (!t) return;
    $("timer-label").textContent = t.label || "Time left";
    if (t.remaining <= 0) buzzed = t.ends_at + ":" + t.seconds;  // already up when it arrived: no buzz
    if (t.running) {  // `remaining` is what was left at server_now: count from it on this phone's own clock
      timerEnd = Date.now() + t.remaining * 1000;
      tick();
      if (t.remaining > 0) ticking = setInterval(tick, 500);
    } else showTime(t.remaining, true);
  }

  // -- dot voting -------------------------------------------------------------------------------------------------
  var queue = [], voting = false;
  function pending(id) {
    var n = 0;
    for (var i = 0; i < queue.length; i++) if (id === undefined || queue[i].card === id) n += queue[i].delta;
    return n;
  }
  function voteIds() {
    var v = st.voting;
    return order.filter(function (id) { return cards[id].kind === v.kind && !cards[id].held; });
  }
  function makeVote(id) {
    var li = node("li", "vote-card"), item = { li: li };
    item.text = node("p", "vote-text", li);
    item.text.id = "vote-text-" + id;
    item.members = node("ul", "members", li);
    var row = node("div", "vote-row", li);
    item.minus = node("button", "vote-button", row, "\u2212");
    item.count = node("span", "vote-count", row);
    item.plus = node("button", "vote-button", row, "+");
    item.total = node("span", "vote-total", row);
    item.minus.type = item.plus.type = "button";
    item.minus.setAttribute("aria-label", "Take back a vote");
    item.plus.setAttribute("aria-label", "Add a vote");
    item.minus.setAttribute("aria-describedby", item.text.id);
    item.plus.setAttribute("aria-describedby", item.text.id);
    item.minus.addEventListener("click", function () { tap(id, -1); });
    item.plus.addEventListener("click", function () { tap(id, 1); });
    return item;
  }
  function updateVote(item, card) {
    var v = st.voting, n = (mine[card.id] || 0) + pending(card.id);
    var free = (left === null ? v.per_person : left) - pending();
    item.text.textContent = card.text;
    var names = card.members || [];
    while (item.members.firstChild) item.members.removeChild(item.members.firstChild);
    for (var i = 0; i < names.length; i++) node("li", "", item.members, names[i]);
    item.members.hidden = !names.length;
    item.count.textContent = "Your votes: " + n;
    item.minus.disabled = !v.open || n <= 0;
    item.plus.disabled = !v.open || n >= v.per_card || free <= 0;
    item.total.hidden = !tallies;
    item.total.textContent = tallies ? "Total: " + (tallies[card.id] || 0) : "";
  }
  function renderVote() {
    var v = st.voting, panel = $("vote");
    panel.hidden = !v || !(v.open || v.revealed);
    if (panel.hidden) return;
    var free = left === null ? v.per_person : left - pending();
    var line = v.open ? free + " of " + plural(v.per_person, "vote", "votes") + " left" +
      (v.per_card < v.per_person ? " (up to " + v.per_card + " on one note)." : ".")
      : (v.revealed ? "Voting has closed. The totals are in." : "Voting has closed.");
    if ($("vote-left").textContent !== line) $("vote-left").textContent = line;  // a live region: only real news
    sync($("vote-cards"), voteIds(), makeVote, updateVote);
  }
  function sayIn(id, message, tone) {
    var s = $(id);
    s.textContent = message;
    s.className = "status" + (tone ? " " + tone : "");
  }
  function tap(id, delta) {
    if (!st.voting || !st.voting.open) return;
    queue.push({ card: id, delta: delta, round: st.voting.round, rid: newId() });
    sayIn("vote-status", "");
    renderVote();
    pump();
  }
  function pump() {  // one vote at a time, in the order tapped: the server's answer is the new truth
    if (voting || !queue.length) return;
    voting = true;
    var t = queue[0];
    call("/votes", { participant: me, card: t.card, round: t.round, delta: t.delta, group: myGroup(),
      request_id: t.rid }).then(function (a) {
      voting = false;
      if (a[0] === 200 && a[1] && a[1].voting) {
        queue.shift();
        applyVoting(a[1].voting);
        renderVote();
        pump();
        return;
      }
      queue = [];
      sayIn("vote-status", "Not counted: " + errorText(a[1], "the vote was not accepted."), "error");
      if (a[0] !== 429) refresh();
      renderVote();
    }, function () {
      voting = false;
      queue = [];
      sayIn("vote-status", "Not counted — no connection. Tap again when you are back online.", "error");
      renderVote();
    });
  }

  // -- "I'm done" ---------------------------------------------------------------------------------------------------
  function renderDone() {
    if (!st.phase) return;
    $("done").hidden = false;
    var b = $("done-button");
    b.textContent = done ? "You said you're done \u2014 tap to undo" : "I'm done";
    b.className = "done-button" + (done ? " on" : "");
  }
  $("done-button").addEventListener("click", function () {
    var b = this;
    if (!st.phase || b.disabled) return;
    b.disabled = true;
    call("/done", { participant: me, phase: st.phase.index, done: !done, group: myGroup(), request_id: newId() })
      .then(function (a) {
        b.disabled = false;
        if (a[0] === 200 && a[1]) {
          if (a[1].phase === st.phase.index) done = !!a[1].done;
          sayIn("done-status", "");
        } else {
          sayIn("done-status", errorText(a[1], "That did not work."), "error");
          if (a[0] !== 429) refresh();
        }
        renderDone();
      }, function () {
        b.disabled = false;
        sayIn("done-status", "No connection. Tap again when you are back online.", "error");
      });
  });

  // -- breakouts: the group's own notes, and which to bring back to the room ----------------------------------
  function makePick(id) {
    var li = node("li", "pick"), item = { li: li };
    item.text = node("p", "pick-text", li);
    item.button = node("button", "pick-button", li, "Bring back to the room");
    item.button.type = "button";
    item.button.addEventListener("click", function () { pick(id, item.button); });
    return item;
  }
  function updatePick(item, card) {
    item.text.textContent = card.text;
    item.button.setAttribute("aria-pressed", card.picked ? "true" : "false");
  }
  function renderGroup() {
    var on = !!st.breakout, section = $("group-notes");
    $("breakout-note").hidden = section.hidden = !on;
    if (!on) return;
    $("group-hint").textContent = myGroup() ? "Choose the notes your group wants to bring back to the whole room."
      : "Choose your group in the form to see its notes.";
    sync(section.querySelector("ul"), order.filter(function (id) {
      return cards[id].breakout && !cards[id].held;
    }), makePick, updatePick);
  }
  function pick(id, button) {
    var card = cards[id];
    if (!card || button.disabled) return;
    button.disabled = true;
    call("/picks", { participant: me, card: id, picked: !card.picked, group: myGroup(), request_id: newId() })
      .then(function (a) {
        button.disabled = false;
        if (a[0] === 200 && a[1]) {
          if (cards[id]) cards[id].picked = !!a[1].picked;
          sayIn("pick-status", "");
        } else {
          sayIn("pick-status", errorText(a[1], "That did not work."), "error");
          if (a[0] !== 429) refresh();
        }
        renderGroup();
      }, function () {
        button.disabled = false;
        sayIn("pick-status", "No connection. Tap again when you are back online.", "error");
      });
  }

  // -- the self-reflection: during its phase it replaces the note form. The server renders the form (the same with
  //    JavaScript off); when the phase turns to it on an open page, the form is taken from a fresh copy of the page.
  var THANKS = "Thank you \u2014 you can change your answers until the facilitator moves on.";
  var ref = { mine: null, edited: false, loading: false, sending: false, rid: "" };
  function reflecting() { return !!(st.phase && st.phase.kind === "reflection"); }
  function renderReflection() {
    var on = reflecting(), section = $("reflection"), closed = $("closed-notice");
    if (form) form.hidden = on;
    if (closed) closed.hidden = on;
    if (section) section.hidden = !on;
    if (on && !section) loadReflection();
    else if (on) fillReflection();
  }
  function loadReflection() {
    if (ref.loading || !window.DOMParser) return;
    ref.loading = true;
    fetch(root + "j/" + encodeURIComponent(token), { cache: "no-store" }).then(function (res) {
      return res.ok ? res.text() : "";
    }).then(function (page) {
      ref.loading = false;
      var found = page && new DOMParser().parseFromString(page, "text/html").getElementById("reflection");
      if (!found || $("reflection")) return;
      anchor.parentNode.insertBefore(document.importNode(found, true), anchor);
      wireReflection();
      renderReflection();
    }, function () { ref.loading = false; });  // offline: tried again with the next news from the server
  }
  function fillReflection() {  // the server's copy of this phone's answer, unless the participant is changing it
    var f = $("reflection-form"), m = ref.mine, role = f.elements.role;
    if (ref.edited || ref.sending) return;
    if (!m) {  // no answer yet: the group's role to start with; whatever the page shows is left as it is
      if (!role.value && roles[myGroup()]) role.value = roles[myGroup()];
      return;
    }
    role.value = m.role;
    var fields = f.querySelectorAll("input[type=radio], textarea"), el, n;
    for (var i = 0; i < fields.length; i++) {
      el = fields[i];
      n = el.name;
      if (el.tagName === "TEXTAREA") {
        el.value = m.evidence[n.slice(9)] || "";
        if (el.value) el.parentNode.open = true;
      } else {  // ladder_now, ladder_target, score-<statement>
        el.checked = String(n.indexOf("score-") === 0 ? m.scores[n.slice(6)] : m[n]) === el.value;
      }
    }
    if ($("reflection-status").textContent !== THANKS) sayIn("reflection-status", THANKS, "ok");  // news only
  }
  function wireReflection() {
    var f = $("reflection-form");
    function edit() {
      if (!ref.edited && ref.mine) sayIn("reflection-status", "Changed \u2014 tap Send my answers to save it.");
      ref.edited = true;
      ref.rid = "";
    }
    f.elements.participant.value = me;  // were the plain form ever sent, it would still be this phone's answer
    f.addEventListener("input", edit);
    f.addEventListener("change", edit);
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      sendReflection(f);
    });
  }
  function markField(f, name) {  // the field the server refused, or none
    var all = f.querySelectorAll("[data-field]");
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute("data-field") !== name) { all[i].removeAttribute("aria-invalid"); continue; }
      all[i].setAttribute("aria-invalid", "true");
      if (all[i].tagName === "TEXTAREA") all[i].parentNode.open = true;
      (all[i].querySelector("input") || all[i]).focus();
    }
  }
  function sendReflection(f) {
    if (ref.sending) return;
    var body = { participant: me, role: f.elements.role.value, group: myGroup(), ladder_now: null,
      ladder_target: null, scores: {}, evidence: {} };
    var fields = f.querySelectorAll("input:checked, textarea"), b = f.querySelector("button[type=submit]"), n, v;
    for (var i = 0; i < fields.length; i++) {
      n = fields[i].name;
      v = fields[i].value;
      if (n.indexOf("ladder_") === 0) body[n] = +v;
      else if (n.indexOf("score-") === 0) body.scores[n.slice(6)] = +v;
      else if (n.indexOf("evidence-") === 0 && v.trim()) body.evidence[n.slice(9)] = v;
    }
    body.request_id = ref.rid = ref.rid || newId();  // unchanged answers sent again: the same request
    ref.sending = b.disabled = true;
    markField(f, null);
    sayIn("reflection-status", "Sending\u2026");
    function settled() { ref.sending = b.disabled = false; }
    call("/reflection", body).then(function (a) {
      var err = (a[1] && a[1].error) || {};
      settled();
      if ((a[0] === 200 || a[0] === 201) && a[1]) {
        ref.mine = a[1].mine;
        ref.edited = false;
        ref.rid = "";
        sayIn("reflection-status", THANKS, "ok");
        return;
      }
      if (a[0] === 409) { ref.rid = ""; refresh(); }
      markField(f, err.field);
      sayIn("reflection-status", "Not sent: " + (err.message || "your answers were not accepted.") +
        " Your answers are kept.", "error");
    }, function () {
      settled();
      sayIn("reflection-status", "Not sent \u2014 no connection. Your answers are kept; tap Send my answers to " +
        "try again.", "error");
    });
  }

  // -- notes: the form --------------------------------------------------------------------------------------------
  var button = form && form.querySelector("button[type=submit]");
  var status = $("status"), mineBox = $("my-notes");
  var list = mineBox && mineBox.querySelector("ul");
  var OFFLINE = "Not sent — no connection. Your note is kept; tap Send to try again.";
  var BUSY = "Not sent — the facilitator's computer could not save it yet. Your note is kept; tap Send to try again.";
  var PAUSED = "The facilitator has paused notes. Your note is kept: you can send it when notes open again.";
  var sending = false, open = true, gone = false, timer = null, tries = 0, rid = "", first = null;

  function setRid(value, sent) {  // sent: the text first sent with this id (a retry may carry an edit)
    rid = value;
    first = sent === undefined ? null : sent;
    if (ridField) ridField.value = value;
  }
  function kind() { var k = form.querySelector("input[name=kind]:checked"); return k ? k.value : ""; }
  function setKind(value) {
    var k = value && $("kind-" + value);
    if (k && k.name === "kind") k.checked = true;
  }
  function kindLabel(value) {
    var l = document.querySelector("label[for='kind-" + value + "'] .choice-name");
    return l ? l.textContent : value.charAt(0).toUpperCase() + value.slice(1);
  }
  function fields() {
    return { text: text.value, kind: kind(), group: group ? group.value : "", author: author ? author.value : "" };
  }
  function saveDraft(failed) {
    var d = fields();
    d.request_id = rid;
    d.sent = first;
    d.failed = !!failed || !!(load("draft") || {}).failed;
    store("draft", d.text.trim() ? d : null);
  }
  function savePrefs() {
    var f = fields();
    store("prefs", { kind: f.kind, group: f.group, author: f.author });
  }

  function say(message, tone) {
    if (!status) return;
    status.textContent = message;
    status.className = "status" + (tone ? " " + tone : "");
  }
  function control(name) {
    if (name === "kind") return form.querySelector("fieldset.kinds");
    return { text: text, group: group, author: author }[name] || null;
  }
  function clearErrors() {
    var old = form.querySelectorAll(".field-error");
    for (var i = 0; i < old.length; i++) old[i].parentNode.removeChild(old[i]);
    var refs = form.querySelectorAll("[aria-describedby*='error-']");
    for (var k = 0; k < refs.length; k++) {
      var ids = refs[k].getAttribute("aria-describedby").replace(/\s*error-\w+\s*/g, " ").trim();
      if (ids) refs[k].setAttribute("aria-describedby", ids);
      else refs[k].removeAttribute("aria-describedby");
    }
    var bad = form.querySelectorAll("[aria-invalid=true]");
    for (var j = 0; j < bad.length; j++) bad[j].removeAttribute("aria-invalid");
    var alert = $("form-error");
    if (alert) alert.parentNode.removeChild(alert);
  }
  function fieldError(name, message) {
    var target = control(name);
    if (!target) return false;
    var p = node("p", "field-error", null, message);
    p.id = "error-" + name;
    target.setAttribute("aria-invalid", "true");
    if (target.tagName === "FIELDSET") {
      target.appendChild(p);
      var radio = target.querySelector("input");
      if (radio) radio.focus();
    } else {
      target.parentNode.insertBefore(p, target.nextSibling);
      target.setAttribute("aria-describedby", (p.id + " " + (target.getAttribute("aria-describedby") || "")).trim());
      target.focus();
    }
    return true;
  }

  // -- my notes: kept on this phone; held ones marked until the reveal ------------------------------------------
  function showMine() {
    if (!mineBox || !list) return;
    var notes = load("mine") || [];
    while (list.firstChild) list.removeChild(list.firstChild);
    for (var i = 0; i < notes.length; i++) {
      var li = node("li", "", list), card = cards[notes[i].id];
      node("strong", "", li, kindLabel(notes[i].kind) + ": ");
      li.appendChild(document.createTextNode(notes[i].text));
      if (card ? card.held : (notes[i].held && st.private)) {
        node("span", "held", li, "Only you can see this until the reveal");
      }
    }
    mineBox.hidden = notes.length === 0 || reflecting();
  }
  function remember(note) {
    var notes = load("mine") || [];
    for (var i = 0; i < notes.length; i++) if (notes[i].id === note.id) return;
    notes.push({ id: note.id, kind: note.kind, text: note.text, group: note.group, held: !!note.held });
    store("mine", notes.slice(-200));
  }

  // -- sending a note ---------------------------------------------------------------------------------------------
  function settle() {
    sending = false;
    button.disabled = !open;
    form.removeAttribute("aria-busy");
  }
  function later(seconds) {  // a bonus automatic retry, backing off; the participant may always tap Send first
    clearTimeout(timer);
    tries += 1;
    var wait = seconds ? seconds * 1000 : Math.min(60000, 3000 * Math.pow(2, tries - 1));
    timer = setTimeout(function () { if (open && !gone && !sending && text.value.trim()) send(true); }, wait);
  }
  function failed(message, seconds) {
    saveDraft(true);
    say(message, "error");
    later(seconds);
  }
  function saved(note, sent, replay) {
    var edited = replay && first !== null && sent.text !== first;
    clearTimeout(timer);
    tries = 0;
    if (note.held && !cards[note.id]) upsert(note);
    remember(note);
    showMine();
    savePrefs();
    setRid(newId());
    if (edited) {
      // A lost answer, then an edit: the first version is on the board; the edit is a new note, not yet sent.
      saveDraft(false);
      say("Saved your first version. Your changes are not sent yet: tap Send to send them as a new note.", "ok");
      return;
    }
    text.value = "";
    store("draft", null);
    say(note.held ? "Saved — only you can see it until the facilitator reveals the notes." :
      "Saved — your note is on the board.", "ok");
  }
  function refused(code, data) {
    var err = (data && data.error) || {};
    var message = err.message || "The note was not accepted.";
    if (code === 403) { setOpen(false, message + " Your note is kept."); return; }
    if (code === 404) { stop(message); return; }
    saveDraft(false);
    if (code === 409 || err.field === "request_id") setRid(newId());
    if (fieldError(err.field, message)) say("Not sent: " + message, "error");
    else say("Not sent: " + message + " Your note is kept.", "error");
  }
  function send(auto) {
    if (sending || !open || gone) return;
    clearTimeout(timer);
    clearErrors();
    sending = true;
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    var body = fields();
    body.request_id = rid;
    body.participant = me;
    if (!group) delete body.group;
    if (first === null) first = body.text;
    saveDraft(false);
    if (!auto) say("Sending…");
    call("/notes", body).then(function (a) {
      var code = a[0], data = a[1];
      settle();
      if ((code === 201 || code === 200) && data && data.id !== undefined) saved(data, body, code === 200);
      else if (code === 429) failed(errorText(data, "Too many notes at once.") +
        " Your note is kept; tap Send to try again.", a[2]);
      else if (code >= 400 && code < 500) refused(code, data);
      else failed(BUSY);
    }, function () {  // no answer at all: offline, the laptop asleep, the Wi-Fi dropped, or our 20 s deadline
      settle();
      failed(OFFLINE);
    });
  }

  // -- open, paused, gone --------------------------------------------------------------------------------------
  function enable(on) {
    for (var i = 0; i < el.length; i++) if (el[i].type !== "hidden") el[i].disabled = !on;
    if (on && sending) button.disabled = true;
  }
  function setOpen(value, message) {
    if (!form) {  // the "notes are closed" page: show the form the moment notes open again
      if (value) window.location.reload();
      return;
    }
    if (gone || value === open) return;
    open = value;
    enable(open);
    if (!open) { clearTimeout(timer); say(message || PAUSED, "error"); }
    else say(text.value.trim() ? "Notes are open again. Tap Send to send your note." : "Notes are open again.", "ok");
  }
  function stop(message) {
    gone = true;
    open = false;
    clearTimeout(timer);
    if (form) enable(false);
    if (es) es.close();
    say((message ? message + " " : "") + "Scan the new QR code to carry on.", "error");
  }

  // -- the live stream -----------------------------------------------------------------------------------------
  var es = null;
  function refresh() {  // after a refusal or a lost stream: ask for the whole board again
    return fetch(api + "/board" + query(), { cache: "no-store" }).then(function (res) {
      if (res.status === 404) { stop(""); return; }
      if (res.ok) return res.json().then(applyBoard);
    }, function () { /* offline: the stream reconnects by itself */ });
  }
  function listen() {
    if (!window.EventSource || gone) return;
    if (es) es.close();
    var source = es = new EventSource(api + "/events" + query());
    function on(name, handle) {
      source.addEventListener(name, function (e) {
        var data;
        try { data = JSON.parse(e.data); } catch (x) { return; }
        handle(data || {});
      });
    }
    on("board", applyBoard);
    on("card", onCard);
    on("session", function (d) { setOpen(d.open !== false); });
    on("state", function (d) { applyState(d); render(); });
    on("mine", function (d) {
      mine = d.mine || {};
      left = d.left;
      done = !!d.done;
      if (d.reflection !== undefined) ref.mine = d.reflection ? d.reflection.mine : null;
      renderVote();
      renderDone();
      renderReflection();
    });
    on("tallies", function (d) { tallies = d.tallies || null; renderVote(); });
    on("closed", function (d) { source.close(); stop(d.message); });
    source.onerror = function () {
      if (source.readyState !== 2 || gone || source !== es) return;  // 2: closed for good; else it reconnects
      fetch(api + "/board" + query(), { cache: "no-store" }).then(function (res) {
        if (res.status === 404) stop("");
        else setTimeout(listen, 10000);
      }, function () { setTimeout(listen, 10000); });
    };
  }

  // -- start ---------------------------------------------------------------------------------------------------
  if (form) {
    var draft = load("draft"), prefs = load("prefs") || {};
    var start = draft || prefs;
    if (draft && !text.value) text.value = draft.text || "";
    if (draft && draft.kind) setKind(draft.kind);
    else if (!kind()) setKind(prefs.kind);  // the server checks the phase's kind: that default wins over habit
    if (group && !group.value && start.group) group.value = start.group;
    if (author && !author.value && start.author) author.value = start.author;
    if (draft && draft.request_id) setRid(draft.request_id, draft.sent === undefined ? null : draft.sent);
    else setRid(newId());
    if (draft && draft.failed) say("Your note has not been sent yet. Tap Send to send it.", "error");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send(false);
    });
    form.addEventListener("input", function () { saveDraft(false); });
    form.addEventListener("change", function (e) {
      saveDraft(false);
      savePrefs();
      if (e.target === group) listen();  // another group: another breakout view
    });
    window.addEventListener("online", function () {
      if (timer && !sending && open && text.value.trim()) send(true);
    });
  }
  if ($("reflection")) wireReflection();
  showMine();
  listen();
})();
