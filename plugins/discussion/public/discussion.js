/*
 * The training forum block in the browser: open threads, post, reply, edit, report and (trainers) pin,
 * close, hide and mark answers, through the block's JSON handlers. The server renders every piece of
 * HTML (already escaped and sanitised); this script only swaps it in, keeps the focus where a keyboard
 * user expects it, and shows the server's messages. Plain JavaScript; the page's runtime adds the CSRF
 * header to every POST, and we set it too.
 */
(function (window, document) {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function CybermassifDiscussion(runtime, element) {
    var root = element.jquery ? element[0] : element;
    var section = root.querySelector(".cm-forum");
    var status = root.querySelector(".cm-forum-status");
    var listPanel = root.querySelector(".cm-forum-list-panel");
    var threadPanel = root.querySelector(".cm-forum-thread-panel");
    var newThread = root.querySelector(".cm-forum-new");
    var listPage = 1;
    var busy = false;

    if (newThread) {
      newThread.hidden = false;
    }

    function say(message) {
      status.textContent = message || "";
    }

    function call(handler, data) {
      return window.fetch(runtime.handlerUrl(root, handler), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(data)
      }).then(function (response) {
        return response.json().catch(function () {
          return {};
        }).then(function (payload) {
          if (!response.ok) {
            var error = new Error(payload.error || response.statusText || String(response.status));
            error.status = response.status;
            throw error;
          }
          return payload;
        });
      });
    }

    function currentThread() {
      return threadPanel.querySelector(".cm-forum-thread");
    }

    function showList(html, focusFirst) {
      listPanel.innerHTML = html;
      threadPanel.hidden = true;
      threadPanel.innerHTML = "";
      listPanel.hidden = false;
      if (newThread) {
        newThread.hidden = false;
      }
      if (focusFirst) {
        var first = listPanel.querySelector(".cm-forum-open");
        if (first) {
          first.focus();
        }
      }
    }

    function showThread(html) {
      threadPanel.innerHTML = html;
      threadPanel.hidden = false;
      listPanel.hidden = true;
      if (newThread) {
        newThread.hidden = true;
      }
      var title = threadPanel.querySelector(".cm-forum-thread-title");
      if (title) {
        title.focus();
      }
    }

    function failed(error, where) {
      // A refusal carries the server's message; a network failure gets the page's own words.
      var message = error && error.status ? error.message : section.getAttribute("data-network-error");
      var box = where ? where.querySelector(".cm-forum-error") : null;
      if (box) {
        box.textContent = message;
        box.hidden = !message;
      } else {
        say(message);
      }
    }

    function run(handler, data, done, where) {
      if (busy) {
        return;
      }
      busy = true;
      say("");
      var box = where ? where.querySelector(".cm-forum-error") : null;
      if (box) {
        box.hidden = true;
      }
      call(handler, data).then(function (payload) {
        busy = false;
        done(payload);
        say(payload.message || "");
      }, function (error) {
        busy = false;
        failed(error, where);
      });
    }

    function loadList(page, focusFirst) {
      run("list_threads", { page: page }, function (payload) {
        listPage = payload.page || page;
        showList(payload.html, focusFirst);
      });
    }

    function openThread(threadId, page) {
      run("open_thread", { thread_id: threadId, page: page }, function (payload) {
        showThread(payload.html);
      });
    }

    function threadContext() {
      var article = currentThread();
      return article ? {
        thread_id: parseInt(article.getAttribute("data-thread-id"), 10),
        page: parseInt(article.getAttribute("data-page"), 10) || 1
      } : null;
    }

    root.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target || !root.contains(target)) {
        return;
      }
      var context = threadContext();
      if (target.classList.contains("cm-forum-open")) {
        openThread(parseInt(target.getAttribute("data-thread-id"), 10), 1);
      } else if (target.classList.contains("cm-forum-back")) {
        loadList(listPage, true);
      } else if (target.classList.contains("cm-forum-list-page")) {
        loadList(parseInt(target.getAttribute("data-page"), 10), true);
      } else if (target.classList.contains("cm-forum-thread-page") && context) {
        openThread(context.thread_id, parseInt(target.getAttribute("data-page"), 10));
      } else if (target.classList.contains("cm-forum-command") && context) {
        var action = target.getAttribute("data-action");
        var data = { value: target.getAttribute("data-value") === "true", page: context.page };
        if (action === "pin" || action === "close") {
          data.thread_id = context.thread_id;
        } else if (action === "mark_answer") {
          data.post_id = parseInt(target.getAttribute("data-post-id"), 10);
        } else if (action === "hide") {
          data.kind = target.getAttribute("data-kind");
          data.id = parseInt(target.getAttribute("data-id"), 10);
        } else {
          return;
        }
        run(action, data, function (payload) {
          showThread(payload.html);
        });
      }
    });

    root.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList || !form.classList.contains("cm-forum-form")) {
        return;
      }
      event.preventDefault();
      var action = form.getAttribute("data-action");
      var context = threadContext();
      var field = function (name) {
        var input = form.elements[name];
        return input ? input.value : undefined;
      };
      var data;
      if (action === "create_thread") {
        var cohort = parseInt(field("cohort_id"), 10);
        data = { title: field("title"), body: field("body"), cohort_id: isNaN(cohort) ? null : cohort };
      } else if (action === "reply" && context) {
        data = { thread_id: context.thread_id, body: field("body") };
      } else if (action === "edit" && context) {
        data = {
          kind: form.getAttribute("data-kind"),
          id: parseInt(form.getAttribute("data-id"), 10),
          body: field("body"),
          page: context.page
        };
        if (data.kind === "thread") {
          data.title = field("title");
        }
      } else if (action === "flag" && context) {
        data = {
          kind: form.getAttribute("data-kind"),
          id: parseInt(form.getAttribute("data-id"), 10),
          thread_id: context.thread_id,
          reason: field("reason") || "",
          page: context.page
        };
      } else {
        return;
      }
      run(action, data, function (payload) {
        if (action === "create_thread") {
          form.reset();
        }
        showThread(payload.html);
      }, form);
    });

    return { element: root };
  }

  window.CybermassifDiscussion = CybermassifDiscussion;
})(window, document);
