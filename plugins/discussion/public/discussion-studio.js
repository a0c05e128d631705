/*
 * The forum block's editor: sends its fields to the block's `studio_submit` handler as JSON and shows
 * the server's answer (saved, or the reason it was refused; nothing is changed then).
 */
(function (window, document) {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function CybermassifDiscussionStudio(runtime, element) {
    var root = element.jquery ? element[0] : element;
    var form = root.querySelector(".cm-forum-studio");
    var error = form.querySelector(".cm-forum-error");
    var status = form.querySelector(".cm-forum-status");

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var checked = form.querySelector('input[name="visibility"]:checked');
      var data = {
        display_name: form.elements.display_name.value,
        discussion_category: form.elements.discussion_category.value,
        discussion_target: form.elements.discussion_target.value,
        visibility: checked ? checked.value : ""
      };
      error.hidden = true;
      status.textContent = "";
      window.fetch(runtime.handlerUrl(root, "studio_submit"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(data)
      }).then(function (response) {
        return response.json().catch(function () {
          return {};
        }).then(function (payload) {
          if (!response.ok) {
            error.textContent = payload.error || String(response.status);
            error.hidden = false;
            return;
          }
          status.textContent = form.getAttribute("data-saved") || "";
          runtime.notify("save", { state: "end" });
        });
      });
    });

    return { element: root };
  }

  window.CybermassifDiscussionStudio = CybermassifDiscussionStudio;
})(window, document);
