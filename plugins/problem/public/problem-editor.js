/*
 * The problem editor: posts its fields as JSON to the block's `studio_submit` handler and shows the
 * server's answer (its messages come translated from the server).
 */
(function (window) {
  "use strict";

  function csrfToken() {
    var meta = window.document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function ProblemBlockEditor(runtime, element) {
    var root = element && element.jquery ? element[0] : element;
    var editor = root.querySelector(".problem-editor");
    var form = root.querySelector(".problem-editor-form");
    if (!editor || !form) {
      return {};
    }
    var error = form.querySelector(".problem-editor-error");
    var warnings = form.querySelector(".problem-editor-warnings");

    function show(box, text) {
      box.textContent = text || "";
      box.hidden = !text;
    }

    function clearWarnings() {
      warnings.textContent = "";
      warnings.hidden = true;
    }

    function showWarnings(list) {
      clearWarnings();
      var status = window.document.createElement("p");
      status.textContent = editor.getAttribute("data-saved");
      warnings.appendChild(status);
      if (list && list.length) {
        var items = window.document.createElement("ul");
        list.forEach(function (text) {
          var item = window.document.createElement("li");
          item.textContent = text;
          items.appendChild(item);
        });
        warnings.appendChild(items);
      }
      warnings.hidden = false;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      show(error, "");
      // The notice of an earlier save must not stay beside the answer to this one (which may be a refusal).
      clearWarnings();
      var payload = {
        display_name: form.elements.display_name.value,
        max_attempts: form.elements.max_attempts.value,
        weight: form.elements.weight.value,
        showanswer: form.elements.showanswer.value,
        show_reset_button: form.elements.show_reset_button.checked,
        data: form.elements.data.value
      };
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      window.fetch(runtime.handlerUrl(root, "studio_submit"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(payload)
      }).then(function (response) {
        return response.json().catch(function () {
          return {};
        }).then(function (body) {
          button.disabled = false;
          if (response.ok) {
            showWarnings(body.warnings);
          } else {
            clearWarnings();
            show(error, body.error || editor.getAttribute("data-error-network"));
            error.focus();
          }
        });
      }).catch(function () {
        button.disabled = false;
        clearWarnings();
        show(error, editor.getAttribute("data-error-network"));
      });
    });

    return { element: root };
  }

  window.ProblemBlockEditor = ProblemBlockEditor;
})(window);
