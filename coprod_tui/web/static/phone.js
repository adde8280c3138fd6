/* The phone page, enhanced: send without reloading, keep the draft until the server confirms, list "my notes",
   follow the facilitator's open / close live. Without this file the form still works (a plain POST).
   No inline code anywhere (the CSP allows only this file) and no innerHTML: people's text goes in as textContent. */
(function () {
  "use strict";
  var form = document.getElementById("note-form");
  if (!form) { reloadWhenOpen(document.getElementById("closed-notice")); return; }
  if (!window.fetch || !window.JSON || !document.querySelector) return;

  // The "notes are closed" page has no form: wait for the facilitator to open notes, then show the form.
  function reloadWhenOpen(notice) {
    if (!notice || !window.EventSource) return;
    var url = (notice.getAttribute("data-root") || "../") + "api/v1/j/" +
      encodeURIComponent(notice.getAttribute("data-token") || "") + "/events";
    var es = new EventSource(url);
    function check(e) {
      var d;
      try { d = JSON.parse(e.data); } catch (x) { return; }
      var session = d && (d.session || d);
      if (session && session.open === true) { es.close(); window.location.reload(); }
    }
    es.addEventListener("board", check);
    es.addEventListener("session", check);
    es.addEventListener("closed", function () { es.close(); });
  }

  var token = form.getAttribute("data-token") || "";
  var api = (form.getAttribute("data-root") || "../") + "api/v1/j/" + encodeURIComponent(token);
  var el = form.elements;
  var text = el.text, author = el.author, group = el.group, ridField = el.request_id;
  var button = form.querySelector("button[type=submit]");
  var status = document.getElementById("status");
  var mine = document.getElementById("my-notes");
  var list = mine && mine.querySelector("ul");
  var KEY = "coprod:" + token + ":";
  var OFFLINE = "Not sent — no connection. Your note is kept; tap Send to try again.";
  var BUSY = "Not sent — the facilitator's computer could not save it yet. Your note is kept; tap Send to try again.";
  var PAUSED = "The facilitator has paused notes. Your note is kept: you can send it when notes open again.";
  var sending = false, open = true, gone = false, timer = null, tries = 0, rid = "", first = null;

  // -- storage (may be missing or full: private browsing, locked-down phones) ---------------------------------
  function load(name) {
    try { return JSON.parse(window.localStorage.getItem(KEY + name) || "null"); } catch (e) { return null; }
  }
  function store(name, value) {
    try {
      if (value === null) window.localStorage.removeItem(KEY + name);
      else window.localStorage.setItem(KEY + name, JSON.stringify(value));
    } catch (e) { /* the form still holds the draft */ }
  }

  function newId() {
    var c = window.crypto;
    if (c && c.randomUUID) { try { return c.randomUUID(); } catch (e) { /* not a secure context */ } }
    var bytes = new Uint8Array(16), out = "";
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    for (var j = 0; j < 16; j++) out += (bytes[j] + 256).toString(16).slice(1);
    return out;
  }
  function setRid(value, sent) {  // sent: the text first sent with this id (a retry may carry an edit)
    rid = value;
    first = sent === undefined ? null : sent;
    if (ridField) ridField.value = value;
  }

  function kind() { var k = form.querySelector("input[name=kind]:checked"); return k ? k.value : ""; }
  function setKind(value) {
    var k = value && document.getElementById("kind-" + value);
    if (k && k.name === "kind") k.checked = true;
  }
  function kindLabel(value) {
    var l = form.querySelector("label[for='kind-" + value + "'] .choice-name");
    return l ? l.textContent : value;
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

  // -- what the participant is told ----------------------------------------------------------------------------
  function say(message, tone) {
    status.textContent = message;
    status.className = "status" + (tone ? " " + tone : "");
  }
  function control(field) {
    if (field === "kind") return form.querySelector("fieldset.kinds");
    return { text: text, group: group, author: author }[field] || null;
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
    var alert = document.getElementById("form-error");
    if (alert) alert.parentNode.removeChild(alert);
  }
  function fieldError(field, message) {
    var target = control(field);
    if (!target) return false;
    var p = document.createElement("p");
    p.className = "field-error";
    p.id = "error-" + field;
    p.textContent = message;
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

  // -- my notes ------------------------------------------------------------------------------------------------
  function showMine() {
    if (!mine || !list) return;
    var notes = load("mine") || [];
    while (list.firstChild) list.removeChild(list.firstChild);
    for (var i = 0; i < notes.length; i++) {
      var li = document.createElement("li"), b = document.createElement("strong");
      b.textContent = kindLabel(notes[i].kind) + ": ";
      li.appendChild(b);
      li.appendChild(document.createTextNode(notes[i].text));
      list.appendChild(li);
    }
    mine.hidden = notes.length === 0;
  }
  function remember(note) {
    var notes = load("mine") || [];
    for (var i = 0; i < notes.length; i++) if (notes[i].id === note.id) return;
    notes.push({ id: note.id, kind: note.kind, text: note.text, group: note.group });
    store("mine", notes.slice(-200));
  }

  // -- sending -------------------------------------------------------------------------------------------------
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
    say("Saved — your note is on the board.", "ok");
  }
  function refused(code, body) {
    var err = (body && body.error) || {};
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
    if (!group) delete body.group;
    if (first === null) first = body.text;
    saveDraft(false);
    if (!auto) say("Sending…");
    var abort = window.AbortController ? new AbortController() : null;
    var deadline = setTimeout(function () { if (abort) abort.abort(); }, 20000);
    fetch(api + "/notes", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      signal: abort ? abort.signal : undefined
    }).then(function (res) {
      return res.json().then(null, function () { return null; }).then(function (data) { return [res, data]; });
    }).then(function (answer) {
      var res = answer[0], data = answer[1], code = res.status;
      clearTimeout(deadline);
      settle();
      if ((code === 201 || code === 200) && data && data.id !== undefined) saved(data, body, code === 200);
      else if (code === 429) failed(((data && data.error && data.error.message) || "Too many notes at once.") +
        " Your note is kept; tap Send to try again.", parseInt(res.headers.get("Retry-After"), 10) || 0);
      else if (code >= 400 && code < 500) refused(code, data);
      else failed(BUSY);
    }, function () {  // no answer at all: offline, the laptop asleep, the Wi-Fi dropped, or our 20 s deadline
      clearTimeout(deadline);
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
    enable(false);
    say((message ? message + " " : "") + "Scan the new QR code to carry on.", "error");
  }

  function listen() {
    if (!window.EventSource) return;
    var es = new EventSource(api + "/events");
    function on(name, handle) {
      es.addEventListener(name, function (e) {
        var data;
        try { data = JSON.parse(e.data); } catch (x) { return; }
        handle(data || {});
      });
    }
    on("board", function (d) { if (d.session) setOpen(d.session.open !== false); });
    on("session", function (d) { setOpen(d.open !== false); });
    on("closed", function (d) { es.close(); stop(d.message); });
    es.onerror = function () {
      if (es.readyState !== 2 || gone) return;  // 2: closed for good (an error status); else it reconnects itself
      fetch(api + "/board", { cache: "no-store" }).then(function (res) {
        if (res.status === 404) stop("");
        else setTimeout(listen, 10000);
      }, function () { setTimeout(listen, 10000); });
    };
  }

  // -- start ---------------------------------------------------------------------------------------------------
  var draft = load("draft"), prefs = load("prefs") || {};
  var start = draft || prefs;
  if (draft && !text.value) text.value = draft.text || "";
  if (!kind()) setKind(start.kind);
  if (group && !group.value && start.group) group.value = start.group;
  if (author && !author.value && start.author) author.value = start.author;
  if (draft && draft.request_id) setRid(draft.request_id, draft.sent === undefined ? null : draft.sent);
  else setRid(newId());
  if (draft && draft.failed) say("Your note has not been sent yet. Tap Send to send it.", "error");
  showMine();

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    send(false);
  });
  form.addEventListener("input", function () { saveDraft(false); });
  form.addEventListener("change", function () { saveDraft(false); savePrefs(); });
  window.addEventListener("online", function () { if (timer && !sending && open && text.value.trim()) send(true); });
  listen();
})();
