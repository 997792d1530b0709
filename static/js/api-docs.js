// Draws the API reference from the served OpenAPI schema with the vendored Swagger UI.
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  if (!target || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: target.getAttribute("data-schema"),
    domNode: target,
    deepLinking: true,
    // The page already names the API and the schema; no links to outside validators.
    validatorUrl: null,
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
})();
