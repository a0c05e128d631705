/*
 * Scrolling boxes reachable from the keyboard (WCAG 2.1.1): a table that scrolls sideways in its own box
 * (a .table-wrap, or a table of course content at phone widths) takes the focus, so that the arrow keys
 * scroll it, and is named after its caption or the heading before it. Boxes that stop scrolling (the
 * window widened) give the focus back.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
(function (window, document) {
  "use strict";

  var SELECTOR = ".table-wrap, .unit-body table, .about-overview table";
  var MARK = "data-scroll-region";

  function label(box) {
    // The table's caption, else the nearest heading before the box in its section.
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    for (var node = box.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) return node.textContent.trim();
    }
    var section = box.closest("section, article");
    var heading = section && section.querySelector("h1, h2, h3, h4, h5, h6");
    return heading ? heading.textContent.trim() : "";
  }

  function update() {
    var boxes = document.querySelectorAll(SELECTOR);
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      var marked = box.hasAttribute(MARK);
      if (scrolls && !marked && !box.hasAttribute("tabindex")) {
        box.setAttribute(MARK, "");
        box.setAttribute("tabindex", "0");
        var name = label(box);
        if (name && box.tagName !== "TABLE") {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", name);
        }
      } else if (!scrolls && marked) {
        box.removeAttribute(MARK);
        box.removeAttribute("tabindex");
        if (box.tagName !== "TABLE") {
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
      }
    }
  }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending === null) {
      pending = window.requestAnimationFrame(function () { pending = null; update(); });
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  // Blocks may draw their tables after the page has loaded.
  window.addEventListener("load", update);
}(window, document));
