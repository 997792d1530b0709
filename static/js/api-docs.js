// Draws the API reference from the served OpenAPI schema with the vendored Swagger UI.
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  if (!target || typeof window.SwaggerUIBundle !== "function") {
    return;
  }

  // Swagger UI's own colours put white or pale text on light badges (under 4.5:1). These
  // rules give every badge and link dark enough text. They are set through the CSSOM from
  // this trusted script, like any style a script sets, so the page needs no inline style.
  var CONTRAST = [
    ".swagger-ui .opblock .opblock-summary-method { color: #000; }",
    ".swagger-ui .info .title small, .swagger-ui .info .title small pre { background: #4b5160; color: #fff; }",
    ".swagger-ui .info .title small.version-stamp { background: #3d5a00; }",
    ".swagger-ui .info .title small.version-stamp pre { background: transparent; }",
    ".swagger-ui .info a, .swagger-ui .info .url, .swagger-ui .info a span { color: #1f5fa8; }",
    ".swagger-ui .btn.authorize { color: #17603f; border-color: #17603f; }",
    ".swagger-ui .btn.authorize span { color: #17603f; }",
    ".swagger-ui .btn.authorize svg { fill: #17603f; }",
  ].join("\n");
  if ("adoptedStyleSheets" in document && typeof CSSStyleSheet === "function") {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CONTRAST);
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
  }

  window.SwaggerUIBundle({
    url: target.getAttribute("data-schema"),
    domNode: target,
    // No link inside each operation's expand button (a control inside a control).
    deepLinking: false,
    // The page already names the API and the schema; no links to outside validators.
    validatorUrl: null,
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
})();
