/*
 * ICT fresco, learner view: turns the sectors (one <details> each, the learner's open) into tabs as the
 * WAI-ARIA Authoring Practices describe them (automatic activation): Left and Right arrows move between
 * sectors and show them, Home and End go to the first and last, Tab moves into the shown sector.
 * Without this script the <details> elements work on their own.
 */
function IctFrescoBlock(runtime, element) {
  "use strict";
  var node = element && element.jquery ? element[0] : element;
  var root = node && node.querySelector(".ict-fresco");
  var tablist = root && root.querySelector('[role="tablist"]');
  if (!tablist || root.classList.contains("is-tabbed")) {
    return {};
  }
  var tabs = Array.prototype.slice.call(tablist.querySelectorAll('[role="tab"]'));
  var panels = tabs.map(function (tab) {
    return document.getElementById(tab.getAttribute("aria-controls"));
  });
  if (!tabs.length || panels.indexOf(null) !== -1) {
    return {};
  }
  var sections = panels.map(function (panel) {
    return panel.closest("details");
  });

  function select(index, focus) {
    tabs.forEach(function (tab, i) {
      var selected = i === index;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
      sections[i].hidden = !selected;
    });
    if (focus) {
      tabs[index].focus();
    }
  }

  function onKey(event) {
    var index = tabs.indexOf(event.currentTarget);
    var last = tabs.length - 1;
    var target = null;
    if (event.key === "ArrowRight") {
      target = index === last ? 0 : index + 1;
    } else if (event.key === "ArrowLeft") {
      target = index === 0 ? last : index - 1;
    } else if (event.key === "Home") {
      target = 0;
    } else if (event.key === "End") {
      target = last;
    }
    if (target !== null) {
      event.preventDefault();
      select(target, true);
    }
  }

  var initial = 0;
  tabs.forEach(function (tab, i) {
    if (tab.getAttribute("aria-selected") === "true") {
      initial = i;
    }
    panels[i].setAttribute("role", "tabpanel");
    panels[i].setAttribute("aria-labelledby", tab.id);
    panels[i].tabIndex = 0;
    sections[i].open = true;
    tab.addEventListener("click", function () {
      select(i, false);
    });
    tab.addEventListener("keydown", onKey);
  });
  select(initial, false);
  tablist.hidden = false;
  root.classList.add("is-tabbed");
  return { select: select };
}
