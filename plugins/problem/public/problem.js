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

    // One listener each on the block's element: the problem's HTML is replaced after every call.
    root.addEventListener("submit", function (event) {
      if (!event.target.classList.contains("problem-form")) {
        return;
      }
      event.preventDefault();
      call("submit", answers(), function (body) {
        replace(body.html);
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
