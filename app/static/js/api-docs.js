// The API reference page: Swagger UI (vendored) reading the generated OpenAPI document of this server.
// SPDX-License-Identifier: AGPL-3.0-or-later
(function () {
  "use strict";
  var root = document.getElementById("api-reference");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    // Nothing leaves the product: no validator badge calling an outside service.
    validatorUrl: null,
  });
})();
