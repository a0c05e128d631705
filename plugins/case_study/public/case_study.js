/*
 * The case study block in the browser: learners save drafts and submit their answers; trainers comment
 * and grade their learners' answers. Every text shown comes from the server (init arguments, or the
 * HTML and messages handlers answer with), in the learner's language.
 */
function CaseStudyBlock(runtime, element, args) {
  "use strict";

  var root = element && element.jquery ? element[0] : element;
  var texts = args || {};

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  // POST JSON to a handler; resolves with the answer, rejects with {message} (the server's when it gave one).
  function post(handler, body) {
    return window.fetch(runtime.handlerUrl(root, handler), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
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
    if (!node) {
      return;
    }
    node.textContent = message || "";
    node.classList.toggle("case-study-error", Boolean(isError));
  }

  function setBusy(form, busy) {
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
      button.disabled = busy;
    });
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  // Replace `node` with the first element of the server's `html` (our own template: already escaped).
  function replaceWith(node, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.firstElementChild;
    node.parentNode.replaceChild(fresh, node);
    return fresh;
  }

  function focusOn(node) {
    if (node) {
      node.setAttribute("tabindex", "-1");
      node.focus();
    }
  }

  function bindAnswers() {
    var part = root.querySelector('[data-part="answers"]');
    var form = part ? part.querySelector("form.case-study-form") : null;
    if (!form) {
      return;
    }
    var status = form.querySelector(".case-study-status");

    function answers() {
      var values = {};
      Array.prototype.forEach.call(form.querySelectorAll("textarea[name]"), function (field) {
        values[field.name] = field.value;
      });
      return values;
    }

    form.querySelector('[data-action="save"]').addEventListener("click", function () {
      setBusy(form, true);
      setStatus(status, texts.working);
      post("save_draft", { answers: answers() }).then(function (data) {
        setStatus(status, data.message);
      }, function (error) {
        setStatus(status, error.message, true);
      }).then(function () {
        setBusy(form, false);
      });
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!window.confirm(texts.confirmSubmit)) {
        return;
      }
      setBusy(form, true);
      setStatus(status, texts.working);
      post("submit", { answers: answers() }).then(function (data) {
        var fresh = replaceWith(part, data.html);
        focusOn(fresh.querySelector(".case-study-submitted"));
      }, function (error) {
        setStatus(status, error.message, true);
        setBusy(form, false);
      });
    });
  }

  function bindGrading(form) {
    form.setAttribute("data-bound", "");
    var status = form.querySelector(".case-study-status");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      setBusy(form, true);
      setStatus(status, texts.working);
      post("grade_learner", {
        learner_id: Number(form.getAttribute("data-learner")),
        comment: form.querySelector('[name="comment"]').value,
        grade: form.querySelector('[name="grade"]').value
      }).then(function (data) {
        var article = form.closest('[data-part="submission"]');
        var fresh = replaceWith(article, data.html);
        var again = fresh.querySelector("form.case-study-grading");
        bindGrading(again);
        focusOn(again.querySelector(".case-study-status"));
      }, function (error) {
        setStatus(status, error.message, true);
        setBusy(form, false);
      });
    });
  }

  // Trainers: the next page of submitted answers goes where the button was; focus moves to the first one.
  function bindMore(paragraph) {
    if (!paragraph) {
      return;
    }
    var button = paragraph.querySelector('[data-action="more"]');
    button.addEventListener("click", function () {
      button.disabled = true;
      post("staff_works", { offset: Number(button.getAttribute("data-offset")) }).then(function (data) {
        var holder = document.createElement("div");
        holder.innerHTML = data.html + data.more;  // our own templates: already escaped
        var first = holder.firstElementChild;
        while (holder.firstChild) {
          paragraph.parentNode.insertBefore(holder.firstChild, paragraph);
        }
        var added = paragraph.previousElementSibling;
        paragraph.parentNode.removeChild(paragraph);
        Array.prototype.forEach.call(
          root.querySelectorAll('form.case-study-grading:not([data-bound])'), bindGrading
        );
        bindMore(added && added.matches('[data-part="more"]') ? added : null);
        focusOn(first && first.querySelector("h4"));
      }, function (error) {
        button.disabled = false;
        var note = paragraph.querySelector(".case-study-status") || document.createElement("span");
        note.className = "case-study-status case-study-error";
        note.setAttribute("role", "status");
        note.textContent = error.message;
        paragraph.appendChild(note);
      });
    });
  }

  bindAnswers();
  Array.prototype.forEach.call(root.querySelectorAll("form.case-study-grading"), bindGrading);
  bindMore(root.querySelector('[data-part="more"]'));
  return {};
}
