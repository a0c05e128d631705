/*
 * The video block's editor: posts the form as JSON to `studio_submit` and shows the server's answer
 * (the reasons, translated, when something is refused). Open edX editors' `save` and `cancel`
 * notifications are sent so that an authoring page can react.
 */
(function (window, document) {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function CybermassifVideoStudio(runtime, element, args) {
    var texts = args || {};
    var form = element.querySelector(".video-editor");
    var output = form.querySelector(".video-editor-message");
    var save = form.querySelector(".video-editor-save");

    function field(name) {
      return form.querySelector('[name="' + name + '"]');
    }

    function show(text, failed) {
      output.textContent = text;
      output.classList.toggle("video-editor-error", Boolean(failed));
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = {
        display_name: field("display_name").value,
        html5_sources: field("html5_sources").value,
        youtube_id_1_0: field("youtube_id_1_0").value,
        embed_url: field("embed_url").value,
        transcripts: field("transcripts").value,
        start_time: field("start_time").value,
        end_time: field("end_time").value,
        download_video: field("download_video").checked
      };
      save.disabled = true;
      show("", false);
      runtime.notify("save", { state: "start" });
      window.fetch(runtime.handlerUrl(element, "studio_submit"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(data)
      })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (!response.ok) {
              throw new Error(body.error || texts.failed || "");
            }
            return body;
          });
        })
        .then(function () {
          show(texts.saved || "", false);
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

    form.querySelector(".video-editor-cancel").addEventListener("click", function () {
      runtime.notify("cancel", {});
    });
  }

  window.CybermassifVideoStudio = CybermassifVideoStudio;
})(window, document);
