/*
 * VISTA pulse, editor: sends the title, the questions (kind and text), the dimensions ticked and the
 * comment setting to the block's `studio_submit` handler and shows its answer.
 */
function VistaPulseEditor(runtime, element, texts) {
  "use strict";
  var node = element && element.jquery ? element[0] : element;
  var form = node.querySelector("form.vista-pulse-editor");
  var errors = form.querySelector(".vista-pulse-editor-errors");
  var status = form.querySelector(".vista-pulse-editor-status");
  texts = texts || {};

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function collect() {
    var questions = Array.prototype.map.call(form.querySelectorAll(".vista-pulse-editor-question"), function (fieldset) {
      return { kind: fieldset.querySelector("select[name=kind]").value, text: fieldset.querySelector("input[name=text]").value };
    });
    var dimensions = Array.prototype.map.call(form.querySelectorAll("input[name=dimensions]:checked"), function (box) {
      return box.value;
    });
    return {
      display_name: form.querySelector("input[name=display_name]").value,
      questions: questions,
      dimensions: dimensions,
      ask_comment: form.querySelector("input[name=ask_comment]").checked
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errors.hidden = true;
    status.textContent = texts.saving || "";
    window.fetch(runtime.handlerUrl(node, "studio_submit"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(collect())
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (body) {
        if (response.ok) {
          status.textContent = texts.saved || "";
        } else {
          status.textContent = "";
          errors.textContent = body.error || texts.unreachable || "";
          errors.hidden = false;
          errors.focus();
        }
      });
    }).catch(function () {
      status.textContent = "";
      errors.textContent = texts.unreachable || "";
      errors.hidden = false;
    });
  });
  return { element: node };
}
