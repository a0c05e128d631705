/*
 * ICT fresco, editor: sends the title and every cell to the block's `studio_submit` handler as JSON and
 * lists the problems it answers with. A links box holds one link a line, "label | address".
 */
function IctFrescoEditor(runtime, element, texts) {
  "use strict";
  var node = element && element.jquery ? element[0] : element;
  var form = node.querySelector("form.ict-fresco-editor");
  var errors = form.querySelector(".ict-fresco-editor-errors");
  var status = form.querySelector(".ict-fresco-editor-status");
  texts = texts || {};

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function notify(name, data) {
    if (runtime && typeof runtime.notify === "function") {
      runtime.notify(name, data);
    }
  }

  // "label | address": the address follows the last bar (labels may hold one, addresses do not).
  function parseLinks(text) {
    return text.split(/\r?\n/).map(function (line) {
      return line.trim();
    }).filter(function (line) {
      return line !== "";
    }).map(function (line) {
      var bar = line.lastIndexOf("|");
      if (bar === -1) {
        return { label: "", href: line };
      }
      return { label: line.slice(0, bar).trim(), href: line.slice(bar + 1).trim() };
    });
  }

  function collect() {
    var cells = Array.prototype.map.call(form.querySelectorAll(".ict-fresco-editor-cell"), function (fieldset) {
      return {
        sector: fieldset.getAttribute("data-sector"),
        "function": fieldset.getAttribute("data-function"),
        text: fieldset.querySelector('[name="text"]').value,
        tools: fieldset.querySelector('[name="tools"]').value,
        links: parseLinks(fieldset.querySelector('[name="links"]').value)
      };
    });
    return { display_name: form.querySelector('[name="display_name"]').value, cells: cells };
  }

  function showErrors(lines) {
    var list = errors.querySelector("ul");
    list.textContent = "";
    lines.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    errors.hidden = false;
    status.textContent = "";
    errors.focus();
  }

  function save() {
    errors.hidden = true;
    status.textContent = texts.saving || "";
    notify("save", { state: "start", message: texts.saving });
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
          notify("save", { state: "end" });
        } else {
          showErrors(String(body.error || texts.unreachable || "").split("\n"));
        }
      });
    }).catch(function () {
      showErrors([texts.unreachable || ""]);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    save();
  });
  form.querySelector(".ict-fresco-editor-reset").addEventListener("click", function () {
    form.reset();
    errors.hidden = true;
    status.textContent = "";
    notify("cancel", {});
  });
  return {};
}
