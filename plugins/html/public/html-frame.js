/*
 * The html block's sandboxed frame (author HTML with script, in an opaque origin of its own) talks to the
 * page with two messages, both believed only when they come from this block's own frame window, shaped as
 * the frame sends them:
 * - its content's height: the frame is resized to it, within bounds;
 * - a request for a course file: the frame has no session, so the page fetches the file for it — only a
 *   file the block's HTML names (the iframe's data-files list, written by the server), nothing else of
 *   the site — and hands over its text or its bytes.
 */
(function (window) {
  "use strict";

  var HEIGHT = "cybermassif-html-height";
  var ASSET = "cybermassif-html-asset";
  var MIN_HEIGHT = 20;
  var MAX_HEIGHT = 20000;
  var MAX_FILE_BYTES = 20 * 1024 * 1024;

  function allowedFiles(frame) {
    var allowed = {};
    try {
      JSON.parse(frame.getAttribute("data-files") || "[]").forEach(function (url) {
        allowed[new URL(url, window.location.href).href] = true;
      });
    } catch (error) {
      return {};
    }
    return allowed;
  }

  function CybermassifHtmlFrame(runtime, element) {
    var frame = element.querySelector("iframe.html-block-frame");
    if (!frame) {
      return;
    }
    var allowed = allowedFiles(frame);

    function reply(message) {
      if (frame.contentWindow) {
        frame.contentWindow.postMessage(message, "*");
      }
    }

    function sendFile(data) {
      var answer = {type: ASSET + "-reply", id: data.id, ok: false};
      var url;
      try {
        url = new URL(data.url, window.location.href);
      } catch (error) {
        reply(answer);
        return;
      }
      if (url.origin !== window.location.origin || !allowed[url.href]) {
        reply(answer);
        return;
      }
      window.fetch(url.href, {credentials: "same-origin"}).then(function (response) {
        var size = Number(response.headers.get("Content-Length") || "0");
        if (!response.ok || size > MAX_FILE_BYTES) {
          throw new Error("refused");
        }
        return data.as === "blob" ? response.blob() : response.text();
      }).then(function (content) {
        answer.ok = true;
        answer[data.as === "blob" ? "blob" : "text"] = content;
        reply(answer);
      }).catch(function () {
        reply(answer);
      });
    }

    window.addEventListener("message", function (event) {
      var data = event.data;
      if (event.source !== frame.contentWindow || event.origin !== "null") {
        return;
      }
      if (!data || typeof data !== "object") {
        return;
      }
      if (data.type === HEIGHT && typeof data.height === "number" && isFinite(data.height)) {
        var height = Math.max(MIN_HEIGHT, Math.min(MAX_HEIGHT, Math.ceil(data.height)));
        frame.style.height = height + "px";
      } else if (data.type === ASSET && typeof data.id === "number" && typeof data.url === "string") {
        sendFile(data);
      }
    });
    // The frame may have sent its height before this ran: ask again, now and once it has loaded.
    function ask() {
      reply({type: HEIGHT + "-request"});
    }
    frame.addEventListener("load", ask);
    ask();
  }

  window.CybermassifHtmlFrame = CybermassifHtmlFrame;
}(window));
