/*
 * Runs inside the html block's sandboxed frame (an opaque origin: no cookies of the site). It tells the
 * page its height, and gets the course's own files through the page: the frame's requests carry no
 * session, so the course's files answer 401 to it, while the page may fetch those the block named.
 * - stylesheets (<link rel="stylesheet">) become <style> elements with the file's text;
 * - images and media (src, poster) become blob: URLs of the files;
 * - scripts of the course (type "text/x-cybermassif-course", data-cm-src) and the author's inline ones
 *   (type "text/x-cybermassif-inline") run in document order, once the files have come.
 * Written in ES5, as the frame may also run in old browsers that Open edX authors wrote for.
 */
(function (window, document) {
  "use strict";

  var HEIGHT = "cybermassif-html-height";
  var ASSET = "cybermassif-html-asset";
  var pending = {};
  var counter = 0;

  function sendHeight() {
    var body = document.body, root = document.documentElement;
    var height = Math.max(body ? body.scrollHeight : 0, root.scrollHeight, root.offsetHeight);
    window.parent.postMessage({type: HEIGHT, height: Math.ceil(height)}, "*");
  }

  function courseFile(url) {
    var link = document.createElement("a");
    link.href = url;
    return link.pathname.indexOf("/formations/") === 0 && link.pathname.indexOf("/static/") > 0;
  }

  // Ask the page for a course file: calls back with the reply ({ok, text} or {ok, blob}).
  function fetchFile(url, kind, callback) {
    counter += 1;
    pending[counter] = callback;
    window.parent.postMessage({type: ASSET, id: counter, url: url, as: kind}, "*");
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== window.parent || !data || typeof data !== "object") {
      return;
    }
    if (data.type === HEIGHT + "-request") {
      sendHeight();
    } else if (data.type === ASSET + "-reply" && pending[data.id]) {
      var callback = pending[data.id];
      delete pending[data.id];
      callback(data);
    }
  });

  function styles() {
    var links = document.querySelectorAll('link[rel~="stylesheet"][href]');
    Array.prototype.forEach.call(links, function (link) {
      if (!courseFile(link.getAttribute("href"))) {
        return;
      }
      fetchFile(link.href, "text", function (reply) {
        if (reply.ok && typeof reply.text === "string") {
          var style = document.createElement("style");
          style.textContent = reply.text;
          link.parentNode.insertBefore(style, link.nextSibling);
          sendHeight();
        }
      });
    });
  }

  function media() {
    var attributes = [["img", "src"], ["audio", "src"], ["video", "src"], ["video", "poster"],
      ["source", "src"], ["track", "src"], ["input", "src"]];
    attributes.forEach(function (pair) {
      var elements = document.querySelectorAll(pair[0] + "[" + pair[1] + "]");
      Array.prototype.forEach.call(elements, function (element) {
        var url = element.getAttribute(pair[1]);
        if (!courseFile(url)) {
          return;
        }
        fetchFile(new URL(url, document.baseURI).href, "blob", function (reply) {
          if (reply.ok && reply.blob instanceof Blob) {
            element.setAttribute(pair[1], URL.createObjectURL(reply.blob));
            var player = element.closest("video, audio");
            if (player && element !== player && typeof player.load === "function") {
              player.load();
            }
          }
        });
      });
    });
  }

  // The author's scripts, in order: a course file's text once it has come, inline ones as they are.
  function scripts() {
    var held = document.querySelectorAll(
      'script[type="text/x-cybermassif-course"], script[type="text/x-cybermassif-inline"]'
    );
    var queue = Array.prototype.slice.call(held);
    function run(code, after) {
      var script = document.createElement("script");
      script.textContent = code;
      after.parentNode.insertBefore(script, after.nextSibling);
    }
    function next() {
      var script = queue.shift();
      if (!script) {
        sendHeight();
        return;
      }
      if (script.type === "text/x-cybermassif-inline") {
        run(script.textContent, script);
        next();
        return;
      }
      fetchFile(new URL(script.getAttribute("data-cm-src"), document.baseURI).href, "text", function (reply) {
        if (reply.ok && typeof reply.text === "string") {
          run(reply.text, script);
        }
        next();
      });
    }
    next();
  }

  document.addEventListener("DOMContentLoaded", function () {
    styles();
    media();
    scripts();
    sendHeight();
    if (window.ResizeObserver) {
      new window.ResizeObserver(sendHeight).observe(document.documentElement);
    }
  });
  window.addEventListener("load", sendHeight);
}(window, document));
