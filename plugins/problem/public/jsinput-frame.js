/*
 * Runs inside a JavaScript input's sandboxed frame (an opaque origin: no cookie, no storage, no page of
 * the site). It asks the page for the author's course file (the frame's own requests carry no session),
 * and for the course scripts, style sheets and images that file names; writes the page into the frame
 * with those files inlined; then answers the page's calls, as Open edX's jsinput calls the author's
 * functions: "answer" (the grade function's result and, when the input keeps one, the state function's)
 * and "setState" (the saved state given back to the author's function). Messages are believed only from
 * the parent window, of the site's origin, shaped as the page sends them. Written in ES5 (with URL), as
 * the pages authors wrote for Open edX may expect old browsers.
 */
(function (window, document) {
  "use strict";

  var PREFIX = "cybermassif-jsinput";
  var config = JSON.parse(document.getElementById("cm-jsinput").getAttribute("data-config"));
  var pending = {};
  var counter = 0;
  var fileUrl = null;
  // The site's origin, from the frame's own address (its origin is opaque: location.origin is "null").
  var site = new URL(window.location.href).origin;

  function send(message) {
    window.parent.postMessage(message, "*");
  }

  // The author's function at a dotted path of the frame's window ("getGrade", "Demo.getGrade").
  function named(path) {
    if (!path) {
      return null;
    }
    var found = window;
    var parts = path.split(".");
    for (var i = 0; i < parts.length; i += 1) {
      if (found === null || found === undefined) {
        return null;
      }
      found = found[parts[i]];
    }
    return typeof found === "function" ? found : null;
  }

  // Ask the page for a file: the author's page (url null) or a course file it names.
  function fetchFile(url, kind, callback) {
    counter += 1;
    pending[counter] = callback;
    send({type: PREFIX + "-file", id: counter, url: url, as: kind});
  }

  function answer(data) {
    var reply = {type: PREFIX + "-reply", id: data.id, ok: false};
    try {
      if (data.call === "answer") {
        var grade = named(config.gradefn);
        if (!grade) {
          throw new Error("no grade function");
        }
        var given = grade();
        reply.answer = typeof given === "string" ? given : JSON.stringify(given);
        var getState = named(config.get_statefn);
        if (getState) {
          var state = getState();
          reply.state = typeof state === "string" ? state : JSON.stringify(state);
        }
        reply.ok = typeof reply.answer === "string";
      } else if (data.call === "setState" && typeof data.state === "string") {
        var setState = named(config.set_statefn);
        if (setState) {
          setState(data.state);
          reply.ok = true;
        }
      }
    } catch (error) {
      reply.ok = false;
    }
    send(reply);
  }

  function listen(event) {
    var data = event.data;
    if (event.source !== window.parent || event.origin !== site) {
      return;
    }
    if (!data || typeof data !== "object" || typeof data.id !== "number") {
      return;
    }
    if (data.type === PREFIX + "-file-reply" && pending[data.id]) {
      var callback = pending[data.id];
      delete pending[data.id];
      callback(data);
    } else if (data.type === PREFIX + "-call") {
      answer(data);
    } else if (data.type === PREFIX + "-hello" && fileUrl === null) {
      start();  // the page was not listening yet when the file was first asked for
    }
  }
  window.addEventListener("message", listen);

  // A file the author's page names, as an address of the course: relative to the page, or "/static/…"
  // as authors write course files (the course's own /static/, where the page itself is).
  function resolved(url) {
    var at = fileUrl.indexOf("/static/");
    if (url && url.indexOf("/static/") === 0 && at >= 0) {
      url = fileUrl.slice(0, at) + url;
    }
    try {
      return new URL(url, fileUrl).href;
    } catch (error) {
      return null;
    }
  }

  // The course files the author's page names, inlined (scripts, style sheets) or as blob: URLs (images).
  function inline(page, done) {
    var jobs = [];
    Array.prototype.forEach.call(page.querySelectorAll("script[src]"), function (script) {
      jobs.push(function (next) {
        var url = resolved(script.getAttribute("src"));
        script.removeAttribute("src");
        if (!url) {
          next();
          return;
        }
        fetchFile(url, "text", function (reply) {
          if (reply.ok && typeof reply.text === "string") {
            script.textContent = reply.text;
          }
          next();
        });
      });
    });
    Array.prototype.forEach.call(page.querySelectorAll('link[rel~="stylesheet"][href]'), function (link) {
      jobs.push(function (next) {
        var url = resolved(link.getAttribute("href"));
        fetchFile(url, "text", function (reply) {
          if (reply.ok && typeof reply.text === "string") {
            var style = page.createElement("style");
            style.textContent = reply.text;
            link.parentNode.replaceChild(style, link);
          }
          next();
        });
      });
    });
    Array.prototype.forEach.call(page.querySelectorAll("img[src]"), function (image) {
      jobs.push(function (next) {
        var url = resolved(image.getAttribute("src"));
        fetchFile(url, "blob", function (reply) {
          if (reply.ok && reply.blob instanceof Blob) {
            image.setAttribute("src", URL.createObjectURL(reply.blob));
          }
          next();
        });
      });
    });
    function step() {
      var job = jobs.shift();
      if (job) {
        job(step);
      } else {
        done();
      }
    }
    step();
  }

  function ready() {
    send({type: PREFIX + "-ready", id: 0});
  }

  function start() {
    fetchFile(null, "text", write);
  }

  function write(reply) {
    if (fileUrl !== null || !reply.ok || typeof reply.text !== "string" || typeof reply.url !== "string") {
      return;
    }
    fileUrl = reply.url;
    var page = new DOMParser().parseFromString(reply.text, "text/html");
    inline(page, function () {
      var html = "<!DOCTYPE html>" + page.documentElement.outerHTML;
      document.open();
      document.write(html);
      document.close();
      // Opening the document dropped this window's listeners: the page's calls are listened to again.
      window.addEventListener("message", listen);
      if (document.readyState === "complete") {
        ready();
      } else {
        window.addEventListener("load", ready);
      }
    });
  }
  start();
}(window, document));
