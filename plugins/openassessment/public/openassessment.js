/*
 * The Open Response Assessment block in the browser: learners save drafts and submit their response,
 * assess peers' responses and their own; trainers grade their learners with the rubric. Every text
 * shown comes from the server (init arguments, or the HTML and messages handlers answer with).
 */
function OpenAssessmentBlock(runtime, element, args) {
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

  function setStatus(form, message, isError) {
    var node = form.querySelector(".ora-status");
    if (node) {
      node.textContent = message || "";
      node.classList.toggle("ora-error", Boolean(isError));
    }
  }

  function setBusy(form, busy) {
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
      button.disabled = busy;
    });
  }

  // Replace `node` with the server's `html` (our own templates: already escaped) and bind it again.
  function replaceWith(node, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.firstElementChild;
    node.parentNode.replaceChild(fresh, node);
    bind(fresh);
    fresh.setAttribute("tabindex", "-1");
    fresh.focus();
    return fresh;
  }

  function assessment(form) {
    var choices = {}, notes = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-criterion]"), function (group) {
      var checked = group.querySelector("input[type=radio]:checked");
      if (checked) {
        choices[group.getAttribute("data-criterion")] = checked.value;
      }
      var note = group.querySelector("[data-note]");
      if (note && note.value) {
        notes[group.getAttribute("data-criterion")] = note.value;
      }
    });
    var feedback = form.querySelector('[name="feedback"]');
    return { choices: choices, criterion_feedback: notes, feedback: feedback ? feedback.value : "" };
  }

  function send(form, handler, body, target) {
    setBusy(form, true);
    setStatus(form, texts.working);
    post(handler, body).then(function (data) {
      if (data.html) {
        replaceWith(target, data.html);
      } else {
        setStatus(form, data.message);
        setBusy(form, false);
      }
    }, function (error) {
      setStatus(form, error.message, true);
      setBusy(form, false);
    });
  }

  function bind(scope) {
    var learner = root.querySelector('[data-part="learner"]');
    Array.prototype.forEach.call(scope.querySelectorAll("form.ora-response-form"), function (form) {
      function responses() {
        return Array.prototype.map.call(form.querySelectorAll("[data-response]"), function (field) {
          return field.value;
        });
      }
      form.querySelector('[data-action="save"]').addEventListener("click", function () {
        send(form, "save_draft", { responses: responses() }, null);
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (window.confirm(texts.confirmSubmit)) {
          send(form, "submit", { responses: responses() }, learner);
        }
      });
    });
    Array.prototype.forEach.call(scope.querySelectorAll('[data-action="peer-next"]'), function (button) {
      button.addEventListener("click", function () {
        button.disabled = true;
        post("peer_next", {}).then(function (data) {
          replaceWith(button.closest('[data-part="peer"]'), data.html);
        }, function (error) {
          button.disabled = false;
          button.parentNode.appendChild(document.createTextNode(" " + error.message));
        });
      });
    });
    Array.prototype.forEach.call(scope.querySelectorAll("form.ora-assessment"), function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var kind = form.getAttribute("data-kind");
        var body = assessment(form);
        if (kind === "self") {
          send(form, "self_assess", body, learner);
        } else if (kind === "peer") {
          body.submission_id = Number(form.getAttribute("data-submission"));
          send(form, "peer_assess", body, learner);
        } else {
          body.learner_id = Number(form.getAttribute("data-learner"));
          send(form, "staff_assess", body, form.closest('[data-part="work"]'));
        }
      });
    });
  }

  // Trainers: the next page of responses goes where the button was; focus moves to the first one.
  root.addEventListener("click", function (event) {
    var button = event.target.closest('[data-action="more"]');
    if (!button || !root.contains(button)) {
      return;
    }
    var paragraph = button.closest('[data-part="more"]');
    button.disabled = true;
    post("staff_works", { offset: Number(button.getAttribute("data-offset")) }).then(function (data) {
      var holder = document.createElement("div");
      holder.innerHTML = data.html + data.more;  // our own templates: already escaped
      var first = holder.firstElementChild;
      bind(holder);
      while (holder.firstChild) {
        paragraph.parentNode.insertBefore(holder.firstChild, paragraph);
      }
      paragraph.parentNode.removeChild(paragraph);
      if (first) {
        first.setAttribute("tabindex", "-1");
        first.focus();
      }
    }, function (error) {
      button.disabled = false;
      paragraph.appendChild(document.createTextNode(" " + error.message));
    });
  });

  bind(root);
  return {};
}
