/*
 * The staff-graded assignments' editor: the form posted as JSON to the block's `studio_submit` handler.
 * The server checks everything and answers with every problem at once, shown under the form.
 */
function StaffGradedStudio(runtime, element, args) {
  "use strict";

  var root = element && element.jquery ? element[0] : element;
  var texts = args || {};
  var form = root.querySelector("form.staff-graded-editor");
  if (!form) {
    return;
  }
  var status = form.querySelector(".staff-graded-form-status");

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function show(message, isError) {
    status.textContent = message || "";
    status.classList.toggle("staff-graded-error", Boolean(isError));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var values = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name) {
        values[field.name] = field.value;
      }
    });
    show(texts.working, false);
    window.fetch(runtime.handlerUrl(root, "studio_submit"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(values)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        show(response.ok ? texts.saved : data.error || texts.failed, !response.ok);
      });
    }, function () {
      show(texts.failed, true);
    });
  });
}
