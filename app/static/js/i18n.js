/*
 * Browser translations for XBlocks: the gettext, ngettext, interpolate (Django's) and pgettext globals.
 *
 * The page gives the catalogue as data, never as script:
 *   <script type="application/json" id="js-i18n">{"language": "fr", "catalog": {"msgid": "msgstr" or [plural forms]}}</script>
 * A message missing from the catalogue is shown in its source language (English).
 */
(function (window, document) {
  "use strict";

  var loaded = null;

  function data() {
    if (loaded !== null) {
      return loaded;
    }
    loaded = { language: "en", catalog: {} };
    var element = document.getElementById("js-i18n");
    if (element) {
      try {
        var parsed = JSON.parse(element.textContent || "{}");
        loaded.language = parsed.language || loaded.language;
        loaded.catalog = parsed.catalog || {};
      } catch (error) {
        if (window.console) {
          window.console.warn("i18n: the catalogue is not valid JSON", error);
        }
      }
    }
    return loaded;
  }

  // Plural form index by language (no eval: the site's policy forbids it).
  function pluralIndex(language, n) {
    if (language.indexOf("fr") === 0) {
      return n > 1 ? 1 : 0;
    }
    return n === 1 ? 0 : 1;
  }

  function gettext(msgid) {
    var value = data().catalog[msgid];
    if (value === undefined || value === null || value === "") {
      return msgid;
    }
    return typeof value === "string" ? value : value[0];
  }

  function ngettext(singular, plural, count) {
    var value = data().catalog[singular];
    var index = pluralIndex(data().language, count);
    if (value === undefined || value === null || typeof value === "string") {
      if (typeof value === "string" && value !== "" && index === 0) {
        return value;
      }
      return index === 0 ? singular : plural;
    }
    return value[index] || (index === 0 ? singular : plural);
  }

  function pgettext(context, msgid) {
    var value = gettext(context + "\x04" + msgid);
    return value.indexOf("\x04") === -1 ? value : msgid;
  }

  function npgettext(context, singular, plural, count) {
    var value = ngettext(context + "\x04" + singular, context + "\x04" + plural, count);
    if (value.indexOf("\x04") === -1) {
      return value;
    }
    return ngettext(singular, plural, count);
  }

  // As Django's: interpolate("%s of %s", [1, 2]) or interpolate("%(a)s", {a: 1}, true).
  function interpolate(format, values, named) {
    if (named) {
      return String(format).replace(/%\(\s*([^)]+)\)s/g, function (match, name) {
        return String(values[name]);
      });
    }
    var list = Array.prototype.slice.call(values || []);
    return String(format).replace(/%s/g, function () {
      return String(list.shift());
    });
  }

  window.gettext = gettext;
  window.ngettext = ngettext;
  window.pgettext = pgettext;
  window.npgettext = npgettext;
  window.interpolate = interpolate;
  window.get_format = window.get_format || function (name) { return name; };
  window.django = window.django || {};
  window.django.gettext = gettext;
  window.django.ngettext = ngettext;
  window.django.interpolate = interpolate;
})(window, document);
