/*
 * The html block's editor: posts the name and the HTML as JSON to `studio_submit`, then shows the HTML as
 * it was stored (as written) and the server's message, which names what learners will not see. Open edX
 * editors' `save` and `cancel` notifications are sent so that an authoring page can react.
 */
(function (window, document) {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function CybermassifHtmlStudio(runtime, element, args) {
    var texts = args || {};
    var form = element.querySelector(".html-editor");
    var output = form.querySelector(".html-editor-message");
    var save = form.querySelector(".html-editor-save");
    var name = form.querySelector('[name="display_name"]');
    var source = form.querySelector('[name="data"]');

    function show(text, failed) {
      output.textContent = text;
      output.classList.toggle("html-editor-error", Boolean(failed));
      output.setAttribute("role", failed ? "alert" : "status");
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save.disabled = true;
      show("", false);
      runtime.notify("save", { state: "start" });
      window.fetch(runtime.handlerUrl(element, "studio_submit"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ display_name: name.value, data: source.value })
      })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (!response.ok) {
              throw new Error(body.error || texts.failed || "");
            }
            return body;
          });
        })
        .then(function (body) {
          if (typeof body.data === "string") {
            source.value = body.data;
          }
          show(body.message || "", false);
          runtime.notify("save", { state: "end" });
        })
        .catch(function (error) {
          show(error.message || texts.failed || "", true);
          runtime.notify("error", { title: texts.failed || "", message: error.message || "" });
        })
        .then(function () {
          save.disabled = false;
        });
    });

    form.querySelector(".html-editor-cancel").addEventListener("click", function () {
      runtime.notify("cancel", {});
    });
  }

  window.CybermassifHtmlStudio = CybermassifHtmlStudio;
})(window, document);
