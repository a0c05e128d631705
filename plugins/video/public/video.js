/*
 * The video block in the browser (plain JS, no library).
 *
 * - HTML5 player: reports the ranges actually played (`video.played`) to the `watched` handler every few
 *   seconds of playback, on pause, at the end and when the page is left; the server decides completion.
 * - YouTube / PeerTube / Vimeo players cannot be measured: the "I watched this video" button calls
 *   `mark_watched`.
 * - Transcripts: the WebVTT file of the chosen language is fetched from the course's files, parsed and
 *   shown as text (textContent only: never interpreted as HTML); with an HTML5 player each cue is a button
 *   that plays from its time, and the cue being played is highlighted.
 *
 * Texts come translated from the server in the init arguments. The CSRF header is added by the runtime's
 * fetch wrapper; it is set here too, so the block works under any host that reads the same meta tag.
 */
(function (window, document) {
  "use strict";

  var MAX_TRANSCRIPT_CHARACTERS = 2 * 1024 * 1024;
  var TIMING = /^(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})\s+-->\s+(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})/;
  var ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", lrm: "\u200e", rlm: "\u200f" };

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function postJson(url, data, keepalive) {
    return window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          throw new Error(body.error || String(response.status));
        }
        return body;
      });
    });
  }

  function seconds(hours, minutes, secs, millis) {
    return Number(hours || 0) * 3600 + Number(minutes) * 60 + Number(secs) + Number(millis) / 1000;
  }

  function clock(total) {
    var whole = Math.floor(total);
    var hours = Math.floor(whole / 3600);
    var minutes = Math.floor((whole % 3600) / 60);
    var secs = whole % 60;
    var mm = (hours && minutes < 10 ? "0" : "") + minutes;
    return (hours ? hours + ":" : "") + mm + ":" + (secs < 10 ? "0" : "") + secs;
  }

  // Cue text without its markup (<v Name>, <i>, <c.x>, timestamps) and with its character references read.
  function plainText(payload) {
    return payload
      .replace(/<[^>]*>/g, "")
      .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, function (match, name) {
        if (name.charAt(0) === "#") {
          var code = name.charAt(1).toLowerCase() === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
          return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
        }
        return Object.prototype.hasOwnProperty.call(ENTITIES, name.toLowerCase()) ? ENTITIES[name.toLowerCase()] : match;
      })
      .trim();
  }

  // The cues of a WebVTT file: [{start, end, text}], in file order.
  function parseVtt(text) {
    var blocks = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n").split(/\n{2,}/);
    var cues = [];
    blocks.forEach(function (block) {
      var lines = block.split("\n");
      var index = 0;
      if (lines[0] && lines[0].indexOf("-->") === -1) {
        index = 1; // the WEBVTT header, a NOTE/STYLE/REGION block, or a cue identifier
      }
      var match = lines[index] ? TIMING.exec(lines[index].trim()) : null;
      if (!match) {
        return;
      }
      var payload = lines.slice(index + 1).join("\n");
      var words = plainText(payload);
      if (words) {
        cues.push({
          start: seconds(match[1], match[2], match[3], match[4]),
          end: seconds(match[5], match[6], match[7], match[8]),
          text: words
        });
      }
    });
    return cues;
  }

  function CybermassifVideo(runtime, element, args) {
    var root = element.querySelector(".video-block") || element;
    var options = args || {};
    var texts = options.texts || {};
    var status = root.querySelector(".video-status");
    var video = root.querySelector("video");
    var complete = Boolean(options.complete);

    function showProgress(body) {
      if (body && typeof body.status === "string" && status) {
        status.textContent = body.status;
      }
      if (body && body.complete) {
        complete = true;
        if (status) {
          status.classList.add("video-status-complete");
        }
      }
    }

    // Measured watching (HTML5) ----------------------------------------------------------------------
    if (video && options.player === "html5") {
      var reportEvery = Number(options.reportEvery) || 10;
      var lastSentTotal = 0;
      var playedSinceReport = 0;
      var lastTime = null;
      var sending = false;

      var playedRanges = function () {
        var ranges = [];
        for (var i = 0; i < video.played.length && ranges.length < 100; i += 1) {
          ranges.push([video.played.start(i), Math.min(video.played.end(i), video.duration)]);
        }
        return ranges;
      };

      var playedTotal = function (ranges) {
        return ranges.reduce(function (sum, range) { return sum + (range[1] - range[0]); }, 0);
      };

      var report = function (leaving) {
        var duration = video.duration;
        if (complete || !isFinite(duration) || duration <= 0 || (sending && !leaving)) {
          return;
        }
        var ranges = playedRanges();
        var total = playedTotal(ranges);
        if (total <= lastSentTotal + 0.01) {
          return;
        }
        sending = true;
        playedSinceReport = 0;
        postJson(runtime.handlerUrl(element, "watched"), { duration: duration, ranges: ranges }, leaving)
          .then(function (body) {
            lastSentTotal = total;
            showProgress(body);
          })
          .catch(function () {
            if (!leaving && status && !complete) {
              status.textContent = texts.saveFailed || "";
            }
          })
          .then(function () {
            sending = false;
          });
      };

      video.addEventListener("timeupdate", function () {
        if (lastTime !== null && !video.seeking) {
          var step = video.currentTime - lastTime;
          if (step > 0 && step < 2) {
            playedSinceReport += step;
          }
        }
        lastTime = video.currentTime;
        if (playedSinceReport >= reportEvery) {
          report(false);
        }
      });
      video.addEventListener("seeking", function () { lastTime = null; });
      video.addEventListener("pause", function () { report(false); });
      video.addEventListener("ended", function () { report(false); });
      document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "hidden") {
          report(true);
        }
      });
      window.addEventListener("pagehide", function () { report(true); });
    }

    // Declared watching (other sites' players) --------------------------------------------------------
    var button = root.querySelector(".video-mark-watched");
    if (button) {
      button.addEventListener("click", function () {
        button.disabled = true;
        postJson(runtime.handlerUrl(element, "mark_watched"), {}, false)
          .then(function (body) {
            showProgress(body);
            button.parentNode.removeChild(button);
          })
          .catch(function (error) {
            button.disabled = false;
            if (status) {
              status.textContent = error.message || texts.saveFailed || "";
            }
          });
      });
    }

    // Transcript as text ------------------------------------------------------------------------------
    var transcript = root.querySelector(".video-transcript-text");
    var files = root.querySelectorAll(".video-transcript-file");
    var chooser = root.querySelector(".video-transcript-language");
    var items = [];

    function message(text) {
      transcript.textContent = "";
      var paragraph = document.createElement("p");
      paragraph.className = "video-transcript-note";
      paragraph.textContent = text;
      transcript.appendChild(paragraph);
    }

    function showCues(cues, language) {
      transcript.textContent = "";
      items = [];
      if (!cues.length) {
        message(texts.transcriptEmpty || "");
        return;
      }
      var list = document.createElement("ol");
      list.className = "video-transcript-cues";
      list.setAttribute("lang", language || "");
      cues.forEach(function (cue) {
        var item = document.createElement("li");
        var time = document.createElement("span");
        time.className = "video-cue-time";
        time.textContent = clock(cue.start);
        var words = document.createElement("span");
        words.className = "video-cue-text";
        words.textContent = cue.text;
        if (video) {
          var seek = document.createElement("button");
          seek.type = "button";
          seek.className = "video-cue";
          // The button's name is its visible text (WCAG 2.5.3, label in name), the action said before it
          // to screen readers only: "Play from 0:05 " + the cue's words.
          var action = document.createElement("span");
          action.className = "visually-hidden";
          action.textContent = (texts.seek || "") + " ";
          seek.appendChild(action);
          seek.appendChild(time);
          seek.appendChild(document.createTextNode(" "));
          seek.appendChild(words);
          seek.addEventListener("click", function () {
            video.currentTime = cue.start;
            video.play().catch(function () { /* the learner can press play */ });
          });
          item.appendChild(seek);
        } else {
          item.appendChild(time);
          item.appendChild(document.createTextNode(" "));
          item.appendChild(words);
        }
        list.appendChild(item);
        items.push({ cue: cue, element: item });
      });
      transcript.appendChild(list);
    }

    function load(index) {
      var link = files[index];
      if (!link || !transcript) {
        return;
      }
      message(texts.loading || "");
      window.fetch(link.href, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (text) {
          if (text.length > MAX_TRANSCRIPT_CHARACTERS) {
            throw new Error("too long");
          }
          showCues(parseVtt(text), link.getAttribute("hreflang"));
        })
        .catch(function () {
          message(texts.transcriptFailed || "");
        });
    }

    if (transcript && files.length) {
      load(0);
      if (chooser) {
        chooser.addEventListener("change", function () { load(Number(chooser.value) || 0); });
      }
      if (video) {
        video.addEventListener("timeupdate", function () {
          var now = video.currentTime;
          items.forEach(function (entry) {
            var current = now >= entry.cue.start && now < entry.cue.end;
            entry.element.classList.toggle("video-cue-current", current);
            if (current) {
              entry.element.setAttribute("aria-current", "true");
            } else {
              entry.element.removeAttribute("aria-current");
            }
          });
        });
      }
    }

    return { element: element, parseVtt: parseVtt };
  }

  window.CybermassifVideo = CybermassifVideo;
})(window, document);
