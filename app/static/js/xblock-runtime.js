/*
 * Cybermassif's XBlock browser runtime, version 1 (XBlock 6.1.0 ships none).
 *
 * For every `.xblock[data-init]` element, children before parents, it calls
 * `new window[initName](runtime, element, initArgs)` (asides: `(runtime, element, $(blockElement),
 * initArgs)`), as xblock-sdk's workbench does; initArgs is the JSON of the block's own
 * `script.xblock-json-init-args`. The runtime offers handlerUrl, children, childMap, notify, listenTo and
 * element helpers. Every non-GET same-origin request made with jQuery (an ajax prefilter) or fetch
 * carries the CSRF token of `<meta name="csrf-token">`. `Logger.log` only writes to the console. Forms
 * of blocks whose inline `onsubmit` only cancels the submission (blocked by the CSP) are cancelled here.
 *
 * The page gives the handler URL template in `<meta name="xblock-handler-url">`, with the placeholders
 * `__usage_id__` and `__handler__`.
 */
(function (window, document) {
  "use strict";

  var BLOCK_SELECTOR = ".xblock";
  var USAGE_PLACEHOLDER = "__usage_id__";
  var HANDLER_PLACEHOLDER = "__handler__";
  var SAFE_METHODS = /^(GET|HEAD|OPTIONS|TRACE)$/i;

  function meta(name) {
    var element = document.querySelector('meta[name="' + name + '"]');
    return element ? element.getAttribute("content") || "" : "";
  }

  // Quote a URL path part as the server does (Werkzeug keeps these characters as they are).
  function quotePath(text) {
    return encodeURIComponent(text).replace(/%(21|24|26|27|28|29|2A|2B|2C|3A|3B|3D|40)/gi, function (match) {
      return decodeURIComponent(match);
    });
  }

  function toElement(element) {
    if (element && element.jquery) {
      return element[0];
    }
    return element;
  }

  function blockElement(element) {
    var node = toElement(element);
    while (node && node.nodeType === 1) {
      if (node.classList.contains("xblock") && node.hasAttribute("data-usage-id")) {
        return node;
      }
      node = node.parentElement;
    }
    return null;
  }

  function sameOrigin(url) {
    try {
      return new URL(url, window.location.href).origin === window.location.origin;
    } catch (error) {
      return false;
    }
  }

  // The nearest enclosing block element of `node`, not counting `node` itself.
  function parentBlock(node) {
    var parent = node.parentElement;
    while (parent && !(parent.classList && parent.classList.contains("xblock"))) {
      parent = parent.parentElement;
    }
    return parent;
  }

  function directChildren(element) {
    var node = toElement(element);
    return Array.prototype.filter.call(node.querySelectorAll(BLOCK_SELECTOR), function (child) {
      return parentBlock(child) === node;
    });
  }

  function initArgs(element) {
    var scripts = element.querySelectorAll("script.xblock-json-init-args");
    for (var i = 0; i < scripts.length; i += 1) {
      if (parentBlock(scripts[i]) === element) {
        try {
          return JSON.parse(scripts[i].textContent || "null");
        } catch (error) {
          window.console.error("XBlock init arguments are not valid JSON", element, error);
          return null;
        }
      }
    }
    return null;
  }

  function isAside(node) {
    return node.hasAttribute("data-block-id");
  }

  function findBlock(usageId) {
    var blocks = document.querySelectorAll(".xblock[data-usage-id]");
    for (var i = 0; i < blocks.length; i += 1) {
      if (blocks[i].getAttribute("data-usage-id") === usageId && !isAside(blocks[i])) {
        return blocks[i];
      }
    }
    return null;
  }

  // Init functions are called as constructors (`new`), as the reference runtime does: many use `this`.
  // Functions that cannot be constructed (arrow functions, methods) are called plainly.
  function construct(init, args) {
    if (init.prototype === undefined) {
      return init.apply(window, args);
    }
    var Bound = Function.prototype.bind.apply(init, [null].concat(args));
    return new Bound();
  }

  var listeners = {};
  var instances = typeof WeakMap === "function" ? new WeakMap() : null;

  var runtime = {
    version: 1,

    handlerUrl: function (element, handlerName, suffix, query) {
      var block = blockElement(element);
      var usageId = block ? block.getAttribute("data-usage-id") : "";
      var url = meta("xblock-handler-url")
        .replace(USAGE_PLACEHOLDER, quotePath(usageId))
        .replace(HANDLER_PLACEHOLDER, quotePath(handlerName));
      if (suffix) {
        url += "/" + String(suffix).replace(/^\/+/, "").split("/").map(quotePath).join("/");
      }
      if (query) {
        url += "?" + String(query).replace(/^\?/, "");
      }
      return url;
    },

    children: function (element) {
      return directChildren(element).filter(function (child) {
        return !isAside(child);
      }).map(function (child) {
        return runtime.instance(child);
      });
    },

    childMap: function (element, name) {
      var children = runtime.children(element);
      for (var i = 0; i < children.length; i += 1) {
        if (children[i].name === name) {
          return children[i];
        }
      }
      return undefined;
    },

    notify: function (name, data) {
      (listeners[name] || []).slice().forEach(function (listener) {
        try {
          listener(data);
        } catch (error) {
          window.console.error("XBlock listener for " + name + " failed", error);
        }
      });
    },

    listenTo: function (name, listener) {
      (listeners[name] = listeners[name] || []).push(listener);
    },

    // Element helpers.
    blockElement: blockElement,
    usageId: function (element) {
      var block = blockElement(element);
      return block ? block.getAttribute("data-usage-id") : null;
    },
    instance: function (element) {
      var node = toElement(element);
      var found = instances ? instances.get(node) : node.xblockInstance;
      return found || { element: node, name: node.getAttribute("data-name") || undefined };
    },

    initializeBlock: function (element) {
      var node = toElement(element);
      var existing = instances ? instances.get(node) : node.xblockInstance;
      if (existing) {
        return existing;
      }
      directChildren(node).forEach(runtime.initializeBlock);
      var instance = { element: node, name: node.getAttribute("data-name") || undefined };
      var initName = node.getAttribute("data-init");
      if (initName) {
        var init = window[initName];
        if (typeof init !== "function") {
          window.console.error("XBlock init function " + initName + " is missing", node);
        } else {
          try {
            var args = initArgs(node);
            var result;
            if (isAside(node)) {
              // As in the workbench: the decorated block's element, wrapped by jQuery when there is one.
              var decorated = findBlock(node.getAttribute("data-block-id"));
              result = construct(init, [runtime, node, window.jQuery ? window.jQuery(decorated) : decorated, args]);
            } else {
              result = construct(init, [runtime, node, args]);
            }
            if (result && typeof result === "object") {
              instance = result;
              instance.element = instance.element || node;
              instance.name = instance.name || node.getAttribute("data-name") || undefined;
            }
          } catch (error) {
            window.console.error("XBlock " + initName + " failed to initialise", node, error);
          }
        }
      }
      if (instances) {
        instances.set(node, instance);
      } else {
        node.xblockInstance = instance;
      }
      return instance;
    },

    initializeBlocks: function (root) {
      var scope = toElement(root) || document;
      Array.prototype.filter.call(scope.querySelectorAll(BLOCK_SELECTOR), function (node) {
        var parent = parentBlock(node);
        return !parent || !scope.contains(parent) || parent === scope;
      }).forEach(runtime.initializeBlock);
    }
  };

  // The CSRF token on every unsafe same-origin request, from jQuery or fetch.
  function csrfToken() {
    return meta("csrf-token");
  }

  // A prefilter rather than `$.ajaxSetup({beforeSend})`: a block passing its own beforeSend would
  // replace the global one and lose the token.
  if (window.jQuery) {
    window.jQuery.ajaxPrefilter(function (options, originalOptions, xhr) {
      if (!SAFE_METHODS.test(options.type || "GET") && sameOrigin(options.url || "")) {
        xhr.setRequestHeader("X-CSRFToken", csrfToken());
      }
    });
  }

  if (typeof window.fetch === "function") {
    var originalFetch = window.fetch;
    window.fetch = function (input, options) {
      var settings = options || {};
      var url = typeof input === "string" ? input : (input && input.url) || "";
      var method = settings.method || (input && input.method) || "GET";
      if (!SAFE_METHODS.test(method) && sameOrigin(url)) {
        var headers = new window.Headers(settings.headers || (input && input.headers) || {});
        // An empty value counts as none: blocks built for Open edX read Django's `csrftoken` cookie,
        // which this site does not set, and send what they found.
        if (!headers.get("X-CSRFToken")) {
          headers.set("X-CSRFToken", csrfToken());
        }
        settings = Object.assign({}, settings, { headers: headers });
      }
      return originalFetch.call(window, input, settings);
    };
  }

  window.Logger = window.Logger || {
    log: function (eventType, data) {
      if (window.console && window.console.debug) {
        window.console.debug("Logger.log", eventType, data);
      }
    }
  };

  window.XBlock = window.XBlock || {};
  window.XBlock.runtime = runtime;
  window.XBlock.initializeBlock = runtime.initializeBlock;
  window.XBlock.initializeBlocks = runtime.initializeBlocks;

  // Blocks' templates stop their forms with inline handlers (`<form onsubmit="return false;">`), which
  // the page's CSP blocks: the browser would then submit the form and leave the unit. The runtime does
  // what such a handler says, and only that: handlers that merely cancel the submission.
  var CANCELLING_HANDLER = /^\s*(return\s+false|(event|e)\.preventDefault\(\))\s*;?\s*$/;

  function cancelInlineCancelledSubmit(event) {
    var form = event.target;
    if (form && form.tagName === "FORM" && blockElement(form) &&
        CANCELLING_HANDLER.test(form.getAttribute("onsubmit") || "")) {
      event.preventDefault();
    }
  }

  function start() {
    document.addEventListener("submit", cancelInlineCancelledSubmit);
    runtime.initializeBlocks(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})(window, document);
