/*
 * The case study editor: rows of figures, images and questions added and removed in the page, and the
 * whole case posted as JSON to the block's `studio_submit` handler. The server checks everything and
 * answers with every problem found (one per line), shown above the save button.
 */
function CaseStudyStudio(runtime, element, args) {
  "use strict";

  var root = element && element.jquery ? element[0] : element;
  var texts = args || {};
  var form = root.querySelector("form.case-study-editor");
  // Read through getAttribute: a field named like a form property would shadow it.
  var prefix = form.getAttribute("id").replace(/-editor$/, "") + "-";
  var errors = form.querySelector(".case-study-errors");
  var status = form.querySelector(".case-study-status");
  var FIELDS = ["display_name", "weight", "company_name", "sector", "size", "headcount", "departement"];
  // Each row's fields: the key sent -> the name of its input.
  var ROWS = {
    figure: { label: "label", value: "value", kind: "kind" },
    image: { src: "src", alt: "alt", caption: "caption" },
    question: { id: "question_id", text: "text" }
  };

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function rows(kind) {
    var list = form.querySelector('[data-rows="' + kind + '"]');
    return Array.prototype.map.call(list.querySelectorAll('[data-row="' + kind + '"]'), function (row) {
      var item = {};
      Object.keys(ROWS[kind]).forEach(function (key) {
        var field = row.querySelector('[name="' + ROWS[kind][key] + '"]');
        item[key] = field ? field.value : "";
      });
      return item;
    });
  }

  function collect() {
    var data = {};
    FIELDS.forEach(function (name) {
      data[name] = document.getElementById(prefix + name).value;
    });
    Array.prototype.forEach.call(form.querySelectorAll("textarea[data-section]"), function (field) {
      data[field.getAttribute("data-section")] = field.value;
    });
    data.figures = rows("figure");
    data.images = rows("image");
    data.questions = rows("question");
    return data;
  }

  function showErrors(message) {
    errors.textContent = "";
    if (!message) {
      errors.hidden = true;
      return;
    }
    var list = document.createElement("ul");
    message.split("\n").forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    errors.appendChild(list);
    errors.hidden = false;
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button || !form.contains(button)) {
      return;
    }
    var action = button.getAttribute("data-action");
    if (action === "add") {
      var kind = button.getAttribute("data-kind");
      var template = form.querySelector('template[data-template="' + kind + '"]');
      var row = template.content.firstElementChild.cloneNode(true);
      form.querySelector('[data-rows="' + kind + '"]').appendChild(row);
      var first = row.querySelector("textarea, input:not([type=hidden]), select");
      if (first) {
        first.focus();
      }
    } else if (action === "remove") {
      var item = button.closest("[data-row]");
      var add = item.parentNode.parentNode.querySelector('button[data-action="add"]');
      item.parentNode.removeChild(item);
      if (add) {
        add.focus();
      }
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showErrors("");
    status.textContent = texts.working || "";
    window.fetch(runtime.handlerUrl(root, "studio_submit"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(collect())
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          status.textContent = "";
          showErrors(data.error || texts.failed);
          return;
        }
        status.textContent = texts.saved || "";
      });
    }, function () {
      status.textContent = "";
      showErrors(texts.failed);
    });
  });

  return {};
}
