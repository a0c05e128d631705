/*
 * The learner side of the problem block: sends answers to the block's `submit` handler (and `reset`,
 * `show_answer`, `hint`) and puts the HTML the server renders in place of the problem, without reloading
 * the page. Every text comes from the server (the rendered HTML or its data attributes).
 */
(function (window) {
  "use strict";

  function csrfToken() {
    var meta = window.document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  var JSINPUT = "cybermassif-jsinput";
  var MAX_FILE_BYTES = 20 * 1024 * 1024;
  var FRAME_TIMEOUT = 5000;

  function ProblemBlock(runtime, element) {
    var root = element && element.jquery ? element[0] : element;
    var busy = false;

    function problem() {
      return root.querySelector(".problem");
    }

    function showError(message) {
      var box = root.querySelector(".problem-error");
      if (!box) {
        return;
      }
      box.textContent = message;
      box.hidden = false;
    }

    function clearError() {
      var box = root.querySelector(".problem-error");
      if (box) {
        box.textContent = "";
        box.hidden = true;
      }
    }

    function post(handler, payload) {
      return window.fetch(runtime.handlerUrl(root, handler), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(payload || {})
      }).then(function (response) {
        return response.json().catch(function () {
          return {};
        }).then(function (body) {
          return { ok: response.ok, body: body };
        });
      });
    }

    // The answers of every input, keyed by input id: a choice name, a list of them, or the text typed.
    function answers() {
      var result = {};
      Array.prototype.forEach.call(root.querySelectorAll("[data-input-id]"), function (input) {
        var id = input.getAttribute("data-input-id");
        var kind = input.getAttribute("data-kind");
        if (kind === "checkboxes") {
          result[id] = Array.prototype.map.call(input.querySelectorAll("input[type=checkbox]:checked"), function (box) {
            return box.value;
          });
        } else if (kind === "image") {
          result[id] = {
            x: input.querySelector("[data-coordinate=x]").value,
            y: input.querySelector("[data-coordinate=y]").value
          };
        } else if (kind === "choice_text") {
          var values = {};
          Array.prototype.forEach.call(input.querySelectorAll("[data-field]"), function (field) {
            values[field.getAttribute("data-field")] = field.value;
          });
          result[id] = {
            choices: Array.prototype.map.call(input.querySelectorAll("input[name='" + id + "']:checked"), function (box) {
              return box.value;
            }),
            values: values
          };
        } else if (kind === "annotation") {
          var tag = input.querySelector("input[type=radio]:checked");
          result[id] = {
            options: tag ? [parseInt(tag.value, 10)] : [],
            comment: input.querySelector("[data-comment]").value
          };
        } else if (kind === "jsinput") {
          // What the frame answered last (saved); replaced by its answer now when it gives one (submit).
          result[id] = input.getAttribute("data-answer") || "";
        } else if (kind === "multiple_choice") {
          var checked = input.querySelector("input[type=radio]:checked");
          result[id] = checked ? checked.value : "";
        } else {
          var field = input.querySelector("select, input[type=text], textarea");
          result[id] = field ? field.value : "";
        }
      });
      return result;
    }

    function replace(html, focusSelector) {
      var current = problem();
      var holder = window.document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector(".problem");
      if (!current || !fresh) {
        return;
      }
      current.parentNode.replaceChild(fresh, current);
      var target = fresh.querySelector(focusSelector || ".problem-status");
      if (target) {
        target.focus();
      }
    }

    function call(handler, payload, onSuccess) {
      var current = problem();
      if (busy || !current) {
        return;
      }
      busy = true;
      clearError();
      var buttons = current.querySelectorAll("button");
      Array.prototype.forEach.call(buttons, function (button) {
        button.disabled = true;
      });
      function done() {
        busy = false;
        Array.prototype.forEach.call(buttons, function (button) {
          button.disabled = false;
        });
      }
      post(handler, payload).then(function (result) {
        done();
        if (result.ok) {
          onSuccess(result.body);
        } else {
          showError(result.body.error || current.getAttribute("data-error-generic"));
        }
      }).catch(function () {
        done();
        showError(current.getAttribute("data-error-network"));
      });
    }

    // JavaScript inputs: the author's page in a sandboxed frame (an opaque origin, "null"). A message is
    // believed only from one of this problem's frames, shaped as the frame sends it; the page fetches for
    // it only the course's own files (under the same /static/ as the frame's page), nothing else.
    function frames() {
      return Array.prototype.slice.call(root.querySelectorAll("iframe.problem-jsinput-frame"));
    }

    function frameOf(source) {
      return frames().filter(function (frame) {
        return frame.contentWindow === source;
      })[0] || null;
    }

    function tell(frame, message) {
      if (frame.contentWindow) {
        frame.contentWindow.postMessage(message, "*");
      }
    }

    function courseFile(frame, asked) {
      var file, url;
      try {
        file = new URL(frame.getAttribute("data-file"), window.location.href);
        url = asked === null ? file : new URL(asked, file);
      } catch (error) {
        return null;
      }
      var at = file.pathname.indexOf("/static/");
      if (at < 0 || url.origin !== window.location.origin || file.origin !== window.location.origin) {
        return null;
      }
      return url.pathname.indexOf(file.pathname.slice(0, at + 8)) === 0 ? url : null;
    }

    function sendFile(frame, data) {
      var reply = { type: JSINPUT + "-file-reply", id: data.id, ok: false };
      var url = (data.url === null || typeof data.url === "string") ? courseFile(frame, data.url) : null;
      if (!url || (data.as !== "text" && data.as !== "blob")) {
        tell(frame, reply);
        return;
      }
      window.fetch(url.href, { credentials: "same-origin" }).then(function (response) {
        var size = Number(response.headers.get("Content-Length") || "0");
        if (!response.ok || size > MAX_FILE_BYTES) {
          throw new Error("refused");
        }
        return data.as === "blob" ? response.blob() : response.text();
      }).then(function (content) {
        reply.ok = true;
        reply[data.as] = content;
        if (data.url === null) {
          reply.url = url.href;
        }
        tell(frame, reply);
      }).catch(function () {
        tell(frame, reply);
      });
    }

    var waiting = {};
    var asked = 0;

    // Call the author's page: resolves with its reply, rejects when it does not answer in time.
    function ask(frame, payload) {
      return new Promise(function (resolve, reject) {
        asked += 1;
        var id = asked;
        var timer = window.setTimeout(function () {
          delete waiting[id];
          reject(new Error("no answer"));
        }, FRAME_TIMEOUT);
        waiting[id] = { frame: frame, done: function (reply) {
          window.clearTimeout(timer);
          (reply.ok ? resolve : reject)(reply);
        } };
        payload.type = JSINPUT + "-call";
        payload.id = id;
        tell(frame, payload);
      });
    }

    // As Open edX: once the page is there, the saved state (or the input's initial state) is given back.
    function restore(frame) {
      var box = frame.closest("[data-input-id]");
      var state = box.getAttribute("data-initial-state") || null;
      var saved = box.getAttribute("data-answer");
      if (saved && box.getAttribute("data-keeps-state") === "true") {
        try {
          var found = JSON.parse(saved).state;
          if (found !== null && found !== undefined) {
            state = typeof found === "string" ? found : JSON.stringify(found);
          }
        } catch (error) {
          state = null;
        }
      }
      if (state !== null) {
        ask(frame, { call: "setState", state: state }).catch(function () {});
      }
    }

    window.addEventListener("message", function (event) {
      var data = event.data;
      var frame = event.origin === "null" ? frameOf(event.source) : null;
      if (!frame || !data || typeof data !== "object" || typeof data.id !== "number") {
        return;
      }
      if (data.type === JSINPUT + "-file") {
        sendFile(frame, data);
      } else if (data.type === JSINPUT + "-ready") {
        restore(frame);
      } else if (data.type === JSINPUT + "-reply" && waiting[data.id] && waiting[data.id].frame === frame) {
        var call = waiting[data.id];
        delete waiting[data.id];
        var shaped = typeof data.ok === "boolean" && (data.answer === undefined || typeof data.answer === "string")
          && (data.state === undefined || typeof data.state === "string");
        call.done(shaped ? data : { ok: false });
      }
    });

    // A frame that asked for its page before this listened asks again when greeted.
    function greet(frame) {
      tell(frame, { type: JSINPUT + "-hello", id: 0 });
    }
    frames().forEach(greet);
    root.addEventListener("load", function (event) {
      if (event.target.classList && event.target.classList.contains("problem-jsinput-frame")) {
        greet(event.target);
      }
    }, true);

    // The answer of every frame, asked now: what its grade function gives, with its state when kept.
    function frameAnswers() {
      return Promise.all(frames().map(function (frame) {
        return ask(frame, { call: "answer" }).then(function (reply) {
          var box = frame.closest("[data-input-id]");
          var value = box.getAttribute("data-keeps-state") === "true"
            ? JSON.stringify({ answer: reply.answer, state: reply.state === undefined ? null : reply.state })
            : reply.answer;
          return [box.getAttribute("data-input-id"), value];
        });
      }));
    }

    // One listener each on the block's element: the problem's HTML is replaced after every call.
    root.addEventListener("submit", function (event) {
      if (!event.target.classList.contains("problem-form")) {
        return;
      }
      event.preventDefault();
      if (busy) {
        return;
      }
      frameAnswers().then(function (pairs) {
        var result = answers();
        pairs.forEach(function (pair) {
          result[pair[0]] = pair[1];
        });
        call("submit", result, function (body) {
          replace(body.html);
        });
      }, function () {
        var current = problem();
        showError(current ? current.getAttribute("data-error-frame") : "");
      });
    });

    // The marker of an image question where its two fields say (in % of the image, which may be shrunk).
    function placeMarker(input) {
      var picture = input.querySelector(".problem-image-picture");
      var marker = input.querySelector(".problem-image-marker");
      var x = parseInt(input.querySelector("[data-coordinate=x]").value, 10);
      var y = parseInt(input.querySelector("[data-coordinate=y]").value, 10);
      if (!picture || !marker) {
        return;
      }
      if (isNaN(x) || isNaN(y)) {
        marker.hidden = true;
        return;
      }
      marker.style.left = (x * 100 / picture.getAttribute("width")) + "%";
      marker.style.top = (y * 100 / picture.getAttribute("height")) + "%";
      marker.hidden = false;
    }

    // A click on the image gives its point in the image's own pixels, as Open edX records it.
    root.addEventListener("click", function (event) {
      var picture = event.target.closest ? event.target.closest(".problem-image-picture") : null;
      var input = picture ? picture.closest("[data-input-id]") : null;
      if (!input || input.querySelector("[data-coordinate=x]").disabled) {
        return;
      }
      var box = picture.getBoundingClientRect();
      var width = parseInt(picture.getAttribute("width"), 10);
      var height = parseInt(picture.getAttribute("height"), 10);
      var x = Math.round((event.clientX - box.left) * width / box.width);
      var y = Math.round((event.clientY - box.top) * height / box.height);
      input.querySelector("[data-coordinate=x]").value = String(Math.min(Math.max(x, 0), width));
      input.querySelector("[data-coordinate=y]").value = String(Math.min(Math.max(y, 0), height));
      placeMarker(input);
      stale(event);
    });
    root.addEventListener("input", function (event) {
      if (event.target.hasAttribute && event.target.hasAttribute("data-coordinate")) {
        placeMarker(event.target.closest("[data-input-id]"));
      }
    });

    root.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !root.contains(button)) {
        return;
      }
      if (button.classList.contains("problem-reset")) {
        call("reset", {}, function (body) {
          replace(body.html, "input, select");
        });
      } else if (button.classList.contains("problem-show-answer")) {
        call("show_answer", {}, function (body) {
          replace(body.html);
        });
      } else if (button.classList.contains("problem-hint-button")) {
        var index = parseInt(button.getAttribute("data-next-hint") || "0", 10);
        call("hint", { index: index }, function (body) {
          var area = root.querySelector(".problem-hints");
          if (area) {
            area.innerHTML = body.html;
          }
          button.setAttribute("data-next-hint", String((body.index + 1) % body.total));
        });
      }
    });

    // Feedback describes the submitted answer: once the learner changes it, it no longer applies.
    function stale(event) {
      var input = event.target.closest("[data-input-id]");
      var feedback = input ? input.querySelector(".problem-feedback") : null;
      if (feedback && feedback.children.length) {
        feedback.hidden = true;
      }
    }
    root.addEventListener("change", stale);
    root.addEventListener("input", stale);

    return { element: root };
  }

  window.ProblemBlock = ProblemBlock;
})(window);
