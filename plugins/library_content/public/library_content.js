/*
 * The randomised content block in the browser: the "draw again" button asks the server for a new draw,
 * then shows the unit again with it (its components' scripts start as on any page).
 */
function LibraryContentBlock(runtime, element, args) {
  "use strict";

  var root = element && element.jquery ? element[0] : element;
  var button = root.querySelector(".library-content-reset");
  if (!button) {
    return;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    window.fetch(runtime.handlerUrl(root, "reset_selected_children"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: "{}"
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      window.location.reload();
    }).catch(function () {
      button.disabled = false;
      var note = document.createElement("p");
      note.setAttribute("role", "alert");
      note.textContent = (args && args.failed) || "";
      button.parentNode.appendChild(note);
    });
  });
}
