/*
 * The html block's sandboxed frame (author HTML with script, in an opaque origin of its own) tells the
 * page its content's height; the frame is resized to it. Only a message from this block's own frame
 * window, shaped as the frame sends it, is believed, and the height is bounded.
 */
(function (window) {
  "use strict";

  var MESSAGE = "cybermassif-html-height";
  var MIN_HEIGHT = 20;
  var MAX_HEIGHT = 20000;

  function CybermassifHtmlFrame(runtime, element) {
    var frame = element.querySelector("iframe.html-block-frame");
    if (!frame) {
      return;
    }
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (event.source !== frame.contentWindow || event.origin !== "null") {
        return;
      }
      if (!data || typeof data !== "object" || data.type !== MESSAGE) {
        return;
      }
      if (typeof data.height !== "number" || !isFinite(data.height)) {
        return;
      }
      var height = Math.max(MIN_HEIGHT, Math.min(MAX_HEIGHT, Math.ceil(data.height)));
      frame.style.height = height + "px";
    });
    // The frame may have sent its height before this ran: ask again, now and once it has loaded.
    function ask() {
      if (frame.contentWindow) {
        frame.contentWindow.postMessage({type: MESSAGE + "-request"}, "*");
      }
    }
    frame.addEventListener("load", ask);
    ask();
  }

  window.CybermassifHtmlFrame = CybermassifHtmlFrame;
}(window));
