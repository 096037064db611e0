// The read-along player: no framework, no network; the timings are in the page itself.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ra-data").textContent);
  var audio = document.getElementById("audio");
  var playBtn = document.getElementById("play");
  var rateSel = document.getElementById("rate");
  var chapterSel = document.getElementById("chapter");
  var speakerEl = document.getElementById("speaker");
  var clockEl = document.getElementById("clock");
  var storeKey = "readalong:" + data.slug;
  var chapter = 0, active = null, activeWord = null, current = -1, lastSaved = 0;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  function save() {
    try {
      localStorage.setItem(storeKey, JSON.stringify({chapter: chapter, time: audio.currentTime,
                                                     rate: audio.playbackRate}));
    } catch (e) { /* private mode, file:// without storage: the place is simply not kept */ }
  }
  function sentences() { return data.chapters[chapter].s; }

  // The sentence being spoken at time t: the last that starts at or before t, if it has not ended.
  function indexAt(t) {
    var s = sentences(), lo = 0, hi = s.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (s[mid][1] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found >= 0 && t < s[found][2] ? found : -1;
  }

  function fmt(t) {
    t = Math.max(0, Math.floor(t));
    var h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
    return (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function highlight(t) {
    var i = indexAt(t);
    if (i !== current) {
      if (active) { active.classList.remove("ra-active"); active.removeAttribute("aria-current"); }
      current = i;
      active = i >= 0 ? document.getElementById(sentences()[i][0]) : null;
      if (active) {
        active.classList.add("ra-active");
        active.setAttribute("aria-current", "true");
        var r = active.getBoundingClientRect();
        if (r.top < 140 || r.bottom > window.innerHeight - 40) {
          active.scrollIntoView({block: "center", behavior: "smooth"});
        }
        var who = data.speakers[sentences()[i][3]];
        speakerEl.textContent = who;
        speakerEl.className = "speaker " + (data.classes[sentences()[i][3]] || "");
      }
    }
    var w = null;
    if (active && i >= 0) {
      var words = sentences()[i][4];
      for (var k = 0; k < words.length; k++) {
        if (words[k][0] <= t && t < words[k][1]) { w = active.querySelector('[data-w="' + k + '"]'); break; }
      }
    }
    if (w !== activeWord) {
      if (activeWord) { activeWord.classList.remove("ra-on"); }
      activeWord = w;
      if (w) { w.classList.add("ra-on"); }
    }
    clockEl.textContent = fmt(t) + " / " + fmt(data.chapters[chapter].duration);
  }

  // Every frame while playing: timeupdate fires only four times a second, too coarse for words.
  function frame() {
    highlight(audio.currentTime);
    if (audio.currentTime - lastSaved > 2 || audio.currentTime < lastSaved) { lastSaved = audio.currentTime; save(); }
    if (!audio.paused) { window.requestAnimationFrame(frame); }
  }

  function showChapter(n, time, play) {
    chapter = Math.max(0, Math.min(n, data.chapters.length - 1));
    var sections = document.querySelectorAll("main section");
    for (var k = 0; k < sections.length; k++) { sections[k].hidden = k !== chapter; }
    chapterSel.value = String(chapter);
    current = -1;
    if (active) { active.classList.remove("ra-active"); active = null; }
    var rate = audio.playbackRate;
    audio.src = data.chapters[chapter].audio;
    audio.playbackRate = rate;
    audio.addEventListener("loadedmetadata", function once() {
      audio.removeEventListener("loadedmetadata", once);
      audio.currentTime = time || 0;
      audio.playbackRate = rate;
      highlight(audio.currentTime);
      if (play) { audio.play(); }
    });
    audio.load();
    save();
  }

  function seek(i) {
    var s = sentences();
    if (i < 0 || i >= s.length) { return; }
    audio.currentTime = s[i][1];
    highlight(s[i][1]);
    save();
  }

  function step(delta) {
    var t = audio.currentTime, i = indexAt(t);
    if (i < 0) {  // in a pause: the next sentence, or the one just before
      var s = sentences();
      i = 0;
      while (i < s.length && s[i][1] <= t) { i++; }
      i = delta > 0 ? i - 1 : i;
    }
    seek(i + delta);
  }

  function toggle() { if (audio.paused) { audio.play(); } else { audio.pause(); } }
  function speed(delta) {
    var opts = Array.prototype.map.call(rateSel.options, function (o) { return o.value; });
    var k = Math.max(0, Math.min(opts.length - 1, opts.indexOf(String(audio.playbackRate)) + delta));
    rateSel.value = opts[k];
    audio.playbackRate = parseFloat(opts[k]);
    save();
  }

  audio.addEventListener("play", function () {
    playBtn.classList.add("playing"); playBtn.setAttribute("aria-label", "Pause");
    window.requestAnimationFrame(frame);
  });
  audio.addEventListener("pause", function () {
    playBtn.classList.remove("playing"); playBtn.setAttribute("aria-label", "Play"); save();
  });
  audio.addEventListener("seeked", function () { highlight(audio.currentTime); });
  audio.addEventListener("ended", function () {
    if (chapter + 1 < data.chapters.length) { showChapter(chapter + 1, 0, true); }
  });
  playBtn.addEventListener("click", toggle);
  document.getElementById("back").addEventListener("click", function () { step(-1); });
  document.getElementById("fwd").addEventListener("click", function () { step(1); });
  document.getElementById("prev").addEventListener("click", function () { showChapter(chapter - 1, 0, !audio.paused); });
  document.getElementById("next").addEventListener("click", function () { showChapter(chapter + 1, 0, !audio.paused); });
  chapterSel.addEventListener("change", function () { showChapter(parseInt(chapterSel.value, 10), 0, !audio.paused); });
  rateSel.addEventListener("change", function () { audio.playbackRate = parseFloat(rateSel.value); save(); });

  function sentenceIndex(el) {
    var s = sentences();
    for (var k = 0; k < s.length; k++) { if (s[k][0] === el.id) { return k; } }
    return -1;
  }
  document.getElementById("text").addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest(".ra-s") : null;
    if (el) { seek(sentenceIndex(el)); }
  });

  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || /^(SELECT|INPUT|TEXTAREA)$/.test(ev.target.tagName)) { return; }
    var handled = true;
    switch (ev.key) {
      case " ": case "k": if (ev.target.tagName === "BUTTON") { handled = false; } else { toggle(); } break;
      case "ArrowRight": case "j": step(1); break;
      case "ArrowLeft": case "h": step(-1); break;
      case "n": showChapter(chapter + 1, 0, !audio.paused); break;
      case "p": showChapter(chapter - 1, 0, !audio.paused); break;
      case "]": speed(1); break;
      case "[": speed(-1); break;
      default: handled = false;
    }
    if (handled) { ev.preventDefault(); }
  });

  var place = load();
  if (place.rate) { audio.playbackRate = place.rate; rateSel.value = String(place.rate); }
  window.readAlong = {audio: audio, data: data, chapter: function () { return chapter; }, show: showChapter};
  showChapter(place.chapter || 0, place.time || 0, false);
})();
