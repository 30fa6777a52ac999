// The API documentation page: Swagger UI from our own copy, reading our OpenAPI document.
// Kept out of the page so the Content-Security-Policy needs no inline script.
(function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  if (!el || typeof window.SwaggerUIBundle === "undefined") { return; }
  window.ui = window.SwaggerUIBundle({
    url: el.dataset.openapiUrl || "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
