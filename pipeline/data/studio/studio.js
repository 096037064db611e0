// The studio's page: plain JavaScript, no build step, nothing fetched but from the studio itself.
"use strict";

const studio = (() => {
  const $ = (id) => document.getElementById(id);
  const audio = $("player");
  const state = {
    works: [], knobs: [], voices: [], variants: [], work: null, n: 1, view: null,
    hashes: {}, selected: -1, playing: -1, continuous: false, voiceEntry: null, voiceHash: null, voiceAsked: 0, inflight: 0,
    buildNext: 0, buildTotal: 0, buildDone: 0, lastBuildOk: false, sayLine: -1,
  };

  // ------------------------------------------------------------------ talking to the server

  async function api(path, body) {
    const init = body === undefined ? {} : {
      method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(body),
    };
    state.inflight += 1; // requests not yet answered (the page is settled at 0)
    try {
      const res = await fetch(path, {credentials: "same-origin", ...init});
      const type = res.headers.get("content-type") || "";
      if (type.startsWith("application/json")) {
        const data = await res.json();
        if (!res.ok) throw Object.assign(new Error(data.error || res.statusText), {data, status: res.status});
        return data;
      }
      if (!res.ok) throw Object.assign(new Error((await res.text()).trim() || res.statusText), {status: res.status});
      return res;
    } finally {
      state.inflight -= 1;
    }
  }

  function banner(text, kind) {
    const el = $("banner");
    el.textContent = text || "";
    el.hidden = !text;
    el.className = "banner " + (kind || "");
  }

  // ------------------------------------------------------------------ works and chapters

  async function start() {
    const data = await api("/api/works");
    Object.assign(state, {works: data.works, knobs: data.knobs, voices: data.voices, variants: data.variants,
                          engines: data.engines || []});
    const sel = $("work");
    sel.replaceChildren(...data.works.map((w) => new Option(w.title, w.slug)));
    const saved = new URLSearchParams(location.hash.slice(1));
    const work = data.works.find((w) => w.slug === saved.get("work")) || data.works[0];
    if (!work) { $("loading").textContent = "No works in the corpus folder."; return; }
    sel.value = work.slug;
    await openChapter(work.slug, Number(saved.get("n")) || 1);
    setInterval(checkState, 2000);
  }

  function work() { return state.works.find((w) => w.slug === state.work); }

  async function openChapter(slug, n, keep) {
    const w = state.works.find((x) => x.slug === slug);
    n = Math.max(1, Math.min(n, w.chapters.length));
    const changed = slug !== state.work || n !== state.n;
    if (changed) stop();
    state.work = slug; state.n = n;
    $("work").value = slug;
    $("chapter").replaceChildren(...w.chapters.map((c) => new Option(`${c.number}. ${c.title}`, c.number)));
    $("chapter").value = n;
    history.replaceState(null, "", `#work=${encodeURIComponent(slug)}&n=${n}`);
    $("loading").hidden = false;
    $("loading").textContent = "Loading the chapter…";
    try {
      show(await api(`/api/chapter?work=${encodeURIComponent(slug)}&n=${n}`), keep);
    } catch (e) {
      $("loading").textContent = e.message;
    }
  }

  function show(view, keep) {
    state.view = view;
    state.hashes = view.hashes;
    $("chapter-title").textContent = view.title;
    $("unsure-count").textContent = view.unsure;
    const ol = $("lines");
    ol.replaceChildren(...view.lines.map(lineElement));
    $("loading").hidden = true;
    renderCast(view.cast);
    if (keep && state.selected >= 0 && lineEl(state.selected)) select(state.selected, false);
    else state.selected = -1;
    if (state.playing >= 0 && lineEl(state.playing)) mark(state.playing);
    document.body.dataset.ready = `${view.work}:${view.chapter}`;
  }

  function lineElement(line) {
    const li = document.createElement("li");
    li.id = `line-${line.i}`;
    li.dataset.i = line.i;
    li.className = `line ${line.kind}` + (line.unsure ? " unsure" : "");
    li.tabIndex = -1;
    if (line.kind === "dialogue") {
      const who = document.createElement("button");
      who.type = "button";
      who.className = `who c${line.colour % 12}`;
      const name = line.speaker === "_group" ? "(several)" : (line.speaker || "?");
      who.textContent = name + (line.unsure ? "?" : "");
      who.setAttribute("aria-label", `Speaker: ${name}${line.unsure ? " (unsure)" : ""}. Change who says it`);
      who.addEventListener("click", () => { select(line.i); chooseSpeaker(line); });
      li.append(who);
    }
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = line.text;
    li.append(text);
    const play = document.createElement("button");
    play.type = "button";
    play.className = "play";
    play.textContent = "▶";
    play.setAttribute("aria-label", "Play from this line");
    play.addEventListener("click", () => playFrom(line.i));
    li.append(play);
    if (line.kind === "dialogue") {
      const meta = document.createElement("span");
      meta.className = "meta";
      const sure = line.confidence === null ? "" : ` ${line.confidence.toFixed(2)}`;
      meta.textContent = `${line.rule || ""}${sure} · ${line.qid}`;
      meta.title = `decided by ${line.rule}, confidence${sure}`;
      li.append(meta);
    }
    li.addEventListener("click", (ev) => { if (ev.target === li || ev.target === text) select(line.i, false); });
    text.addEventListener("mouseup", () => pickWord(line));
    return li;
  }

  function lineEl(i) { return $(`line-${i}`); }

  function select(i, focus = true) {
    document.querySelectorAll(".line.selected").forEach((el) => el.classList.remove("selected"));
    const el = lineEl(i);
    if (!el) return;
    state.selected = i;
    el.classList.add("selected");
    if (focus) { el.focus({preventScroll: true}); el.scrollIntoView({block: "nearest"}); }
  }

  function step(delta, onlyUnsure) {
    const lines = state.view ? state.view.lines : [];
    let at = lines.findIndex((l) => l.i === state.selected);
    for (let k = 0; k < lines.length; k++) {
      at = at + delta;
      if (at < 0 || at >= lines.length) break;
      if (!onlyUnsure || lines[at].unsure) { select(lines[at].i); return true; }
    }
    if (onlyUnsure) banner("No unsure line after this one in the chapter.", "info");
    return false;
  }

  // ------------------------------------------------------------------ listening

  function mark(i) {
    document.querySelectorAll(".line.playing").forEach((el) => {
      el.classList.remove("playing"); el.removeAttribute("aria-current");
    });
    const el = lineEl(i);
    if (el) { el.classList.add("playing"); el.setAttribute("aria-current", "true"); el.scrollIntoView({block: "nearest"}); }
  }

  function lineUrl(i) {
    return `/api/line.wav?work=${encodeURIComponent(state.work)}&n=${state.n}&i=${i}&v=${state.hashes.voices}`;
  }

  function playFrom(i) {
    state.continuous = true;
    state.playing = i;
    select(i, false);
    mark(i);
    audio.src = lineUrl(i);
    audio.play().catch((e) => { if (e.name !== "AbortError") banner(`Could not play: ${e.message}`, "error"); });
    const next = nextLine(i);
    if (next !== null) fetch(lineUrl(next), {credentials: "same-origin"}).catch(() => {}); // render it ahead
  }

  function nextLine(i) {
    const lines = state.view.lines;
    const at = lines.findIndex((l) => l.i === i);
    return at >= 0 && at + 1 < lines.length ? lines[at + 1].i : null;
  }

  function stop() {
    state.continuous = false;
    audio.pause();
    state.playing = -1;
    mark(-1);
  }

  audio.addEventListener("ended", () => {
    if (!state.continuous || state.playing < 0) return;
    const next = nextLine(state.playing);
    if (next === null) { stop(); return; }
    playFrom(next);
  });
  audio.addEventListener("play", () => { $("play").textContent = "❚❚ Pause"; });
  audio.addEventListener("pause", () => { $("play").textContent = "▶ Play"; });

  function toggle() {
    if (!audio.paused) { audio.pause(); return; }
    if (state.playing >= 0 && audio.src && state.continuous && state.playing === state.selected) { audio.play(); return; }
    playFrom(state.selected >= 0 ? state.selected : state.view.lines[0].i);
  }

  function playBlob(res) {
    return res.blob().then((blob) => {
      stop();
      audio.src = URL.createObjectURL(blob);
      return audio.play();
    });
  }

  // ------------------------------------------------------------------ who says it

  function chooseSpeaker(line) {
    const li = lineEl(line.i);
    if (li.querySelector(".choose")) return;
    const form = document.createElement("form");
    form.className = "choose";
    const sel = document.createElement("select");
    sel.setAttribute("aria-label", "Who says this line");
    sel.append(new Option("(automatic: no pin)", ""));
    for (const c of state.view.cast) sel.append(new Option(c.name === "_group" ? "(several)" : c.name, c.name));
    sel.append(new Option("Someone else…", "\u0000other"));
    sel.value = line.rule === "pin" ? line.speaker : "";
    const other = document.createElement("input");
    other.placeholder = "Name";
    other.setAttribute("aria-label", "Another speaker's name");
    other.hidden = true;
    const ok = document.createElement("button");
    ok.type = "submit"; ok.textContent = "Pin"; ok.setAttribute("aria-label", "Pin this speaker");
    const cancel = document.createElement("button");
    cancel.type = "button"; cancel.textContent = "Cancel"; cancel.setAttribute("aria-label", "Cancel");
    const err = document.createElement("span");
    err.className = "field-error"; err.setAttribute("role", "alert");
    sel.addEventListener("change", () => { other.hidden = sel.value !== "\u0000other"; if (!other.hidden) other.focus(); });
    cancel.addEventListener("click", () => { form.remove(); li.focus(); });
    form.addEventListener("keydown", (ev) => { if (ev.key === "Escape") { form.remove(); li.focus(); } });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const speaker = sel.value === "\u0000other" ? other.value.trim() : sel.value;
      err.textContent = "Saving…";
      try {
        const view = await api("/api/pin", {work: state.work, n: state.n, qid: line.qid, speaker: speaker || null,
                                            base: state.hashes.pins});
        show(view, true);
        banner(`${view.written}: ${line.qid} ${speaker ? "pinned to " + speaker : "unpinned"}; the lines after it follow.`, "ok");
      } catch (e) {
        if (e.data && e.data.stale) { await reload(e.message); return; }
        err.textContent = e.message;
      }
    });
    form.append(sel, other, ok, cancel, err);
    li.append(form);
    sel.focus();
  }

  // ------------------------------------------------------------------ cast and voices

  function renderCast(cast) {
    const ul = $("cast");
    const narrator = {name: "narrator", colour: -1, lines: null, entry: "narrator"};
    ul.replaceChildren(...[narrator, ...cast].map((c) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = `who c${c.colour < 0 ? "n" : c.colour % 12}`;
      const shown = c.name === "_group" ? "(several)" : c.name;
      b.textContent = shown + (c.lines ? ` · ${c.lines}` : "");
      b.setAttribute("aria-label", `Voice of ${shown}`);
      b.disabled = c.name === "_group";
      b.addEventListener("click", () => openVoice(c.name));
      li.append(b);
      return li;
    }));
  }

  async function openVoice(name) {
    $("voice-status").textContent = "";
    const asked = ++state.voiceAsked;
    let data;
    try {
      data = await api(`/api/voice?work=${encodeURIComponent(state.work)}&name=${encodeURIComponent(name)}`);
    } catch (e) { $("voice-status").textContent = e.message; $("voice-panel").hidden = false; return; }
    if (asked !== state.voiceAsked) return; // a later opening was asked for: an older answer must not win
    // Already shown as the file now holds it (a reload and a refused save both asked): keep what is typed.
    if (!$("voice-panel").hidden && state.voiceEntry === name && state.voiceHash === data.hash) return;
    state.voiceEntry = name;
    state.voiceHash = data.hash;
    $("voice-name").textContent = data.entry;
    const box = $("knob-fields");
    box.replaceChildren(...state.knobs.map((k) => knobField(k, data.knobs[k], data.resolved[k])));
    $("voice-panel").hidden = false;
    $("voice-panel").scrollIntoView({block: "nearest"});
    box.querySelector("input, select").focus();
  }

  function knobField(knob, value, resolved) {
    const label = document.createElement("label");
    label.className = "knob";
    label.append(knob + " ");
    let input;
    const lists = {voice: state.voices, variant: state.variants, engine: state.engines};
    if (lists[knob]) {
      input = document.createElement("input");
      input.setAttribute("list", `${knob}-list`);
      ensureList(`${knob}-list`, lists[knob] || []);
    } else {
      input = document.createElement("input");
      input.inputMode = "decimal";
    }
    input.name = knob;
    input.id = `knob-${knob}`;
    input.value = value === null || value === undefined ? "" : value;
    input.placeholder = resolved === null || resolved === undefined ? "" : String(resolved);
    input.setAttribute("aria-label", knob);
    input.setAttribute("aria-describedby", `err-${knob}`);
    const err = document.createElement("span");
    err.className = "field-error";
    err.id = `err-${knob}`;
    err.setAttribute("role", "alert");
    label.append(input, err);
    return label;
  }

  function ensureList(id, values) {
    if ($(id)) return;
    const list = document.createElement("datalist");
    list.id = id;
    list.append(...values.map((v) => new Option(v, v)));
    document.body.append(list);
  }

  function knobValues() {
    const out = {};
    for (const k of state.knobs) { const el = $(`knob-${k}`); if (el && el.value.trim() !== "") out[k] = el.value.trim(); }
    return out;
  }

  function clearErrors() { document.querySelectorAll("#voice-form .field-error").forEach((e) => { e.textContent = ""; }); }

  function fieldError(e) {
    const el = e.data && e.data.field ? $(`err-${e.data.field}`) : null;
    if (el) el.textContent = e.message; else $("voice-status").textContent = e.message;
  }

  async function previewVoice() {
    clearErrors();
    $("voice-status").textContent = "Rendering a preview…";
    try {
      const res = await api("/api/voice/preview", {name: state.voiceEntry, work: state.work, knobs: knobValues()});
      $("voice-status").textContent = `Preview: ${res.headers.get("x-voice")}`;
      await playBlob(res);
    } catch (e) { $("voice-status").textContent = ""; fieldError(e); }
  }

  async function saveVoice(ev) {
    ev.preventDefault();
    clearErrors();
    try {
      const r = await api("/api/voice", {name: state.voiceEntry, work: state.work, knobs: knobValues(), base: state.voiceHash});
      state.voiceHash = r.hash;
      state.hashes.voices = r.hash; // our own write: not a change made by hand
      $("voice-status").textContent = `Saved to ${r.written}.`;
      await openChapter(state.work, state.n, true);
    } catch (e) {
      if (e.data && e.data.stale) { await reload(e.message); await openVoice(state.voiceEntry); return; }
      fieldError(e);
    }
  }

  // ------------------------------------------------------------------ say it right

  function pickWord(line) {
    const text = String(window.getSelection()).trim();
    if (!text || text.length > 60) return;
    $("say-word").value = text;
    state.sayLine = line.i;
    $("say-status").textContent = `From line ${line.i}, in ${line.speaker || "the narrator"}'s voice.`;
  }

  async function hearWord() {
    $("err-lexicon").textContent = "";
    const i = state.sayLine >= 0 ? state.sayLine : state.selected;
    if (i < 0) { $("err-lexicon").textContent = "Select a word in a line first."; return; }
    try {
      await playBlob(await api("/api/say", {work: state.work, n: state.n, i, word: $("say-word").value, say: $("say-as").value}));
    } catch (e) { $("err-lexicon").textContent = e.message; }
  }

  async function saveWord(ev) {
    ev.preventDefault();
    $("err-lexicon").textContent = "";
    try {
      const r = await api("/api/lexicon", {word: $("say-word").value, say: $("say-as").value, base: state.hashes.voices});
      state.hashes.voices = r.hash; // our own write: not a change made by hand
      if (state.voiceHash !== null) state.voiceHash = r.hash;
      $("say-status").textContent = `Saved to the lexicon in ${r.written}.`;
      await openChapter(state.work, state.n, true);
    } catch (e) {
      if (e.data && e.data.stale) { await reload(e.message); return; }
      $("err-lexicon").textContent = e.message;
    }
  }

  // ------------------------------------------------------------------ building

  async function build() {
    try {
      const r = await api("/api/build", {});
      state.buildNext = 0; state.buildTotal = 0; state.buildDone = 0;
      $("build-panel").hidden = false;
      $("listen-built").hidden = true;
      $("build-status").textContent = r.started ? "Building…" : "A build is running already.";
      followBuild();
    } catch (e) { banner(e.message, "error"); }
  }

  async function followBuild() {
    const r = await api(`/api/build?since=${state.buildNext}`);
    state.buildNext = r.next;
    let finished = false;
    for (const ev of r.events) {
      if (ev.stage !== undefined) { state.buildTotal = ev.total || 0; state.buildDone = 0; $("build-status").textContent = ev.stage; }
      if (ev.advance) state.buildDone += ev.advance;
      if (ev.chapter) $("build-status").textContent = `${ev.chapter}: ${Math.round(ev.audio_done / 60)} min of audio done, ~${Math.round(ev.audio_left / 60)} min left`;
      if (ev.warn) banner(ev.warn, "info");
      if (ev.error) { $("build-status").textContent = ev.error; state.lastBuildOk = false; }
      if (ev.done) {
        state.lastBuildOk = true;
        $("build-status").textContent = `Built in ${ev.done.seconds} s: ${ev.done.clips_rendered} of ${ev.done.clips_total} clips rendered, ${ev.done.rebuilt.length} chapter file(s) made again.`;
        $("listen-built").hidden = false;
      }
      if (ev.exit !== undefined) finished = true;
    }
    const bar = $("build-progress");
    bar.max = Math.max(1, state.buildTotal);
    bar.value = finished ? bar.max : Math.min(state.buildDone, bar.max);
    document.body.dataset.build = finished ? (state.lastBuildOk ? "done" : "failed") : "running";
    if (finished) document.body.dataset.buildRun = String(r.run);
    if (!finished) setTimeout(followBuild, 400);
  }

  async function listenBuilt() {
    try {
      const r = await api(`/api/built?work=${encodeURIComponent(state.work)}&n=${state.n}`);
      stop();
      audio.src = `/build/${r.file.split("/").map(encodeURIComponent).join("/")}#t=${r.start}`;
      await audio.play();
    } catch (e) { banner(e.message, "error"); }
  }

  // ------------------------------------------------------------------ files changed by hand, the lock

  async function reload(why) {
    banner(why, "info");
    await openChapter(state.work, state.n, true);
  }

  async function checkState() {
    let r;
    try { r = await api(`/api/state?work=${encodeURIComponent(state.work)}`); } catch (e) { return; }
    document.body.dataset.locked = r.cli_build ? "cli" : r.building ? "studio" : "";
    if (r.cli_build) banner("A command-line build is running in this build folder: changes wait until it has finished.", "info");
    else if ($("banner").textContent.startsWith("A command-line build")) banner("");
    const changed = Object.keys(r.hashes).filter((k) => state.hashes[k] !== undefined && state.hashes[k] !== r.hashes[k]);
    if (changed.length) {
      const names = changed.map((k) => (k === "voices" ? "voices.yaml" : "the pins file")).join(" and ");
      await reload(`${names} changed on disk; reloaded.`);
      if (changed.includes("voices") && state.voiceEntry && !$("voice-panel").hidden) await openVoice(state.voiceEntry);
    }
  }

  // ------------------------------------------------------------------ keys and wiring

  function onKey(ev) {
    const t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
    const keys = {
      j: () => step(1), k: () => step(-1), u: () => step(1, true), " ": toggle, b: build,
      "[": () => openChapter(state.work, state.n - 1), "]": () => openChapter(state.work, state.n + 1),
      s: () => { const l = state.view.lines.find((x) => x.i === state.selected); if (l && l.kind === "dialogue") chooseSpeaker(l); },
      v: () => { const l = state.view.lines.find((x) => x.i === state.selected); openVoice(l && l.speaker ? l.speaker : "narrator"); },
      "?": () => $("help").showModal(),
    };
    const f = keys[ev.key];
    if (f && !(ev.key === " " && t && t.tagName === "BUTTON")) { ev.preventDefault(); f(); }
  }

  function wire() {
    document.addEventListener("keydown", onKey);
    $("work").addEventListener("change", () => openChapter($("work").value, 1));
    $("chapter").addEventListener("change", () => openChapter(state.work, Number($("chapter").value)));
    $("prev-chapter").addEventListener("click", () => openChapter(state.work, state.n - 1));
    $("next-chapter").addEventListener("click", () => openChapter(state.work, state.n + 1));
    $("next-unsure").addEventListener("click", () => step(1, true));
    $("play").addEventListener("click", toggle);
    $("build").addEventListener("click", build);
    $("listen-built").addEventListener("click", listenBuilt);
    $("help-button").addEventListener("click", () => $("help").showModal());
    $("voice-preview").addEventListener("click", previewVoice);
    $("voice-form").addEventListener("submit", saveVoice);
    $("say-hear").addEventListener("click", hearWord);
    $("say-form").addEventListener("submit", saveWord);
    start().catch((e) => { $("loading").textContent = e.message; });
  }

  document.addEventListener("DOMContentLoaded", wire);
  return {state, audio, playFrom, openChapter, openVoice, select, step, checkState};
})();
window.studio = studio;
