// The API console at /docs: Swagger UI (vendored, crates/cmp-gateway/assets/swagger-ui)
// on the gateway's own /openapi.json. "Try it out" sends requests to the gateway that
// served this page (the document names no server, so the page's origin is used); the key
// entered once under "Authorize" is kept in the browser (persistAuthorization).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    docExpansion: "none",
    defaultModelsExpandDepth: 0,
    filter: true,
    showExtensions: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
