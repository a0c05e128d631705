/*
 * Staff-graded assignments in the browser: learners hand in their file; trainers grade and comment their
 * learners' work, give back annotated copies and send files of scores. Every text shown comes from the
 * server (init arguments, or the HTML and messages handlers answer with), in the reader's language.
 */
function StaffGradedBlock(runtime, element, args) {
  "use strict";

  var root = element && element.jquery ? element[0] : element;
  var texts = args || {};

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function body() {
    return root.querySelector('[data-part="body"]');
  }

  // POST to a handler; resolves with the JSON answer, rejects with {message} (the server's when it gave one).
  function post(handler, payload) {
    var headers = { "Accept": "application/json", "X-CSRFToken": csrfToken() };
    var isForm = payload instanceof window.FormData;
    if (!isForm) {
      headers["Content-Type"] = "application/json";
    }
    return window.fetch(runtime.handlerUrl(root, handler), {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: isForm ? payload : JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          throw { message: data.error || texts.failed };
        }
        return data;
      });
    }, function () {
      throw { message: texts.failed };
    });
  }

  function setStatus(node, message, isError) {
    if (node) {
      node.textContent = message || "";
      node.classList.toggle("staff-graded-error", Boolean(isError));
    }
  }

  // The server's HTML (our own templates: already escaped) replaces the block's content.
  function refresh(data) {
    var part = body();
    part.innerHTML = data.html;
    var status = part.querySelector(".staff-graded-status");
    setStatus(status, data.message, false);
    if (status) {
      status.setAttribute("tabindex", "-1");
      status.focus();
    }
  }

  function send(form, handler, payload) {
    var status = form.querySelector(".staff-graded-form-status");
    var buttons = form.querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (button) { button.disabled = true; });
    setStatus(status, texts.working, false);
    post(handler, payload).then(refresh, function (error) {
      Array.prototype.forEach.call(buttons, function (button) { button.disabled = false; });
      setStatus(status, error.message, true);
    });
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-action]")) {
      return;
    }
    event.preventDefault();
    var status = form.querySelector(".staff-graded-form-status");
    if (form.getAttribute("data-action") === "grade") {
      send(form, "grade_learner", {
        learner_id: Number(form.getAttribute("data-learner")),
        comment: form.elements.comment.value,
        grade: form.elements.grade.value
      });
      return;
    }
    var input = form.querySelector('input[type="file"]');
    var file = input && input.files && input.files[0];
    if (!file) {
      setStatus(status, texts.noFile, true);
      return;
    }
    if (file.size > texts.maxFile) {
      setStatus(status, texts.tooLarge, true);
      return;
    }
    send(form, form.getAttribute("data-handler"), new window.FormData(form));
  });
}
