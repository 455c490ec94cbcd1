// chitieu: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  function setCookie(name, value) {
    document.cookie = name + "=" + value + "; Path=/; Max-Age=31536000; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }

  function fontLevel() {
    var m = root.className.match(/font-(-?\d)/);
    return m ? parseInt(m[1], 10) : 0;
  }

  function setFont(level) {
    level = Math.max(-2, Math.min(3, level));
    root.className = root.className.replace(/font-(-?\d)/, "").trim() + " font-" + level;
    setCookie("portal_font", String(level));
  }

  function readAloud(button) {
    var synth = window.speechSynthesis;
    if (!synth) { return; }
    if (synth.speaking) { synth.cancel(); button.removeAttribute("aria-pressed"); return; }
    var main = document.getElementById("content");
    var text = main ? main.innerText : document.body.innerText;
    var u = new SpeechSynthesisUtterance(text);
    u.lang = "vi-VN";
    var voices = synth.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang && voices[i].lang.toLowerCase().indexOf("vi") === 0) { u.voice = voices[i]; break; }
    }
    u.onend = function () { button.removeAttribute("aria-pressed"); };
    button.setAttribute("aria-pressed", "true");
    synth.speak(u);
  }

  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-tool]") : null;
    if (!el) { return; }
    var tool = el.getAttribute("data-tool");
    if (tool === "night") {
      e.preventDefault();
      var on = !root.classList.contains("night");
      root.classList.toggle("night", on);
      setCookie("portal_night", on ? "1" : "0");
      el.setAttribute("href", "/portal/prefs?night=" + (on ? "0" : "1"));
    } else if (tool === "font") {
      e.preventDefault();
      var step = parseInt(el.getAttribute("data-step"), 10);
      setFont(step === 0 ? 0 : fontLevel() + step);
    } else if (tool === "print" || tool === "pdf") {
      e.preventDefault();
      window.print();
    } else if (tool === "read") {
      e.preventDefault();
      readAloud(el);
    }
  });
})();
