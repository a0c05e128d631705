/*
 * VISTA pulse, learner side: sends the chosen answers (and the comment) to the block's `submit` handler
 * as JSON and shows its answer, or the reason it refused them.
 */
function VistaPulseBlock(runtime, element, texts) {
  "use strict";
  var node = element && element.jquery ? element[0] : element;
  var form = node.querySelector("form.vista-pulse-form");
  if (!form) {
    return {};
  }
  var errors = form.querySelector(".vista-pulse-errors");
  var status = form.querySelector(".vista-pulse-status");
  texts = texts || {};

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function collect() {
    var answers = {};
    Array.prototype.forEach.call(form.querySelectorAll(".vista-pulse-question"), function (fieldset) {
      var chosen = fieldset.querySelector("input[type=radio]:checked");
      answers[fieldset.getAttribute("data-code")] = chosen ? parseInt(chosen.value, 10) : null;
    });
    var comment = form.querySelector("textarea[name=comment]");
    return { answers: answers, comment: comment ? comment.value : "" };
  }

  function fail(message) {
    errors.textContent = message;
    errors.hidden = false;
    status.textContent = "";
    errors.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errors.hidden = true;
    status.textContent = "";
    window.fetch(runtime.handlerUrl(node, "submit"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(collect())
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (body) {
        if (response.ok) {
          status.textContent = body.message || "";
        } else {
          fail(body.error || texts.unreachable || "");
        }
      });
    }).catch(function () {
      fail(texts.unreachable || "");
    });
  });
  return { element: node };
}
